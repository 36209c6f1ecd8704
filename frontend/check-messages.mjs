// Every message catalogue must have the same keys in English and Simplified Chinese, and the
// same {placeholders} in both. Run by the build (and on its own: node frontend/check-messages.mjs).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'src', 'messages');
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');

export async function checkCatalogues() {
  const problems = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.js'))) {
    const { default: catalogue } = await import(pathToFileURL(join(dir, file)).href);
    const en = catalogue.en;
    const zh = catalogue['zh-CN'];
    for (const key of Object.keys(en)) {
      if (!(key in zh)) problems.push(`${file}: '${key}' has no zh-CN text`);
      else if (placeholders(en[key]) !== placeholders(zh[key])) problems.push(`${file}: '${key}' placeholders differ`);
    }
    for (const key of Object.keys(zh)) if (!(key in en)) problems.push(`${file}: '${key}' has no en text`);
  }
  if (problems.length) {
    throw new Error(`message catalogues disagree:\n  ${problems.join('\n  ')}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  checkCatalogues().then(() => console.log('messages: en and zh-CN agree'), (error) => {
    console.error(error.message);
    process.exit(1);
  });
}
