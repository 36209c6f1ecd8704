// The moderator console (/moderator): audit queue, disputes, vetting, sanctions, expert records.
import { h } from '../lib/dom.js';
import { initLocale, registerMessages, t } from '../lib/i18n.js';
import { runConsole } from '../lib/console.js';
import common from '../messages/common.js';
import moderatorMessages from '../messages/moderator.js';
import { applicationsScreen } from './applications.js';
import { disputesScreen } from './disputes.js';
import { expertScreen } from './expert.js';
import { live, stopLive } from './live.js';
import { queueScreen } from './queue.js';
import { sanctionsScreen } from './sanctions.js';

registerMessages(common, moderatorMessages);
initLocale();

runConsole({
  prefix: 'mod',
  className: 'dash mod',
  roles: ['moderator', 'platform_admin'],
  live: { ...live, stop: stopLive },
  tabs: ['queue', 'disputes', 'applications', 'sanctions'],
  screens: {
    queue: queueScreen,
    disputes: disputesScreen,
    applications: applicationsScreen,
    sanctions: (ctx, id) => sanctionsScreen({ ...ctx, expertId: id }),
    experts: (ctx, id) => expertScreen({ ...ctx, id }), // #experts/<id> only, no tab
  },
  context: (session) => ({ session }),
  title: (session) => h('span', { class: 'muted' }, session.display_name, ' · ', t(`role.${session.role}`)),
});
