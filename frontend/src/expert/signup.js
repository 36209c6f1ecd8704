// Sign up as an expert (POST /api/v1/auth/signup); the new account is logged in at once.
import { h } from '../lib/dom.js';
import { getLocale, t } from '../lib/i18n.js';
import { post, setCsrfToken } from '../lib/api.js';
import { busy, errorText, field, languageSwitch, showFieldErrors } from '../lib/ui.js';

/** 'battery:4, screen' -> {battery: 4, screen: 3} */
export function parseSkills(text) {
  const skills = {};
  for (const part of text.split(/[,，;；\s]+/).filter(Boolean)) {
    const [tag, level] = part.split(/[:：]/);
    skills[tag.toLowerCase()] = level ? Number(level) : 3;
  }
  return skills;
}

export function signupScreen({ onSignedUp, onLogin }) {
  const input = (props) => h('input', props);
  const email = input({ type: 'email', name: 'email', autocomplete: 'email', required: true, inputMode: 'email' });
  const password = input({ type: 'password', name: 'password', autocomplete: 'new-password', required: true });
  const name = input({ type: 'text', name: 'display_name', autocomplete: 'nickname', required: true, maxLength: 80 });
  const langEn = input({ type: 'checkbox', name: 'lang', value: 'en', checked: getLocale() === 'en' });
  const langZh = input({ type: 'checkbox', name: 'lang', value: 'zh', checked: getLocale() === 'zh-CN' });
  const otherLangs = input({ type: 'text', name: 'languages', placeholder: 'ja, ko' });
  const skills = input({ type: 'text', name: 'skills', placeholder: 'battery:4, screen:2' });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, t('signup.submit'));
  const form = h(
    'form',
    {
      class: 'card auth-form',
      on: {
        submit: (event) => {
          event.preventDefault();
          message.textContent = '';
          const languages = [
            ...[langEn, langZh].filter((box) => box.checked).map((box) => box.value),
            ...otherLangs.value.split(/[,，\s]+/).filter(Boolean).map((code) => code.toLowerCase()),
          ];
          busy(submit, async () => {
            try {
              const session = await post('/auth/signup', {
                email: email.value,
                password: password.value,
                display_name: name.value,
                languages,
                skills: parseSkills(skills.value),
                locale: getLocale(),
              });
              setCsrfToken(session.csrf_token);
              onSignedUp(session);
            } catch (error) {
              const rest = showFieldErrors(form, error);
              message.textContent = [errorText(error), ...rest].join(' ');
            }
          });
        },
      },
    },
    h('h1', null, t('signup.title')),
    h('p', { class: 'muted' }, t('signup.intro')),
    field(t('auth.email'), email),
    field(t('auth.password'), password, t('signup.passwordHint')),
    field(t('signup.name'), name),
    h('fieldset', { class: 'field' }, h('legend', null, t('signup.languages')), h('label', { class: 'choice' }, langEn, ' English'), h('label', { class: 'choice' }, langZh, ' 中文'), field(t('signup.otherLanguages'), otherLangs)),
    field(t('signup.skills'), skills, t('signup.skillsHint')),
    message,
    submit,
  );
  const toLogin = h('p', { class: 'center' }, h('button', { type: 'button', class: 'link', on: { click: onLogin } }, t('signup.haveAccount')));
  return h('main', { class: 'auth' }, h('div', { class: 'auth-lang' }, languageSwitch()), form, toLogin);
}
