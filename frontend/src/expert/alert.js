// A new offer buzzes (Vibration API) and beeps (Web Audio) where the browser allows it.
// Browsers only allow sound after the person touched the page, so audio unlocks on a gesture.
let audio = null;

export function armAlerts() {
  const unlock = () => {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === 'suspended') audio.resume();
    } catch {
      audio = null;
    }
  };
  for (const event of ['pointerdown', 'keydown']) window.addEventListener(event, unlock, { passive: true });
}

export function alertNewOffer() {
  let alerted = false;
  if ('vibrate' in navigator) {
    try {
      alerted = navigator.vibrate([180, 90, 180]);
    } catch {
      alerted = false;
    }
  }
  if (audio && audio.state === 'running') {
    const now = audio.currentTime;
    for (const [start, freq] of [[0, 880], [0.2, 1175]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + start);
      gain.gain.exponentialRampToValueAtTime(0.25, now + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + start);
      osc.stop(now + start + 0.18);
    }
    alerted = true;
  }
  document.documentElement.dataset.lastAlert = String(Date.now()); // lets tests see it fired
  return alerted;
}
