// Builds the front end into static/dist: the expert app (PWA), the company dashboard and the
// moderator console as ES modules, their styles, the service worker, the web app manifest and the icons.
// Usage: node frontend/build.mjs [--watch]   (npm run build)
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { checkCatalogues } from './check-messages.mjs';
import { pngIcon, svgIcon } from './icons.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(root, 'static', 'dist');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: !watch,
  sourcemap: 'linked',
  target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
  legalComments: 'linked',
  logLevel: 'info',
};

const apps = {
  ...common,
  entryPoints: {
    app: join(here, 'src/expert/main.js'),
    dashboard: join(here, 'src/dashboard/main.js'),
    moderator: join(here, 'src/moderator/main.js'),
    'app-style': join(here, 'css/app.css'),
    'dashboard-style': join(here, 'css/dashboard.css'),
    'moderator-style': join(here, 'css/moderator.css'),
  },
  outdir: out,
  format: 'esm',
  metafile: true,
};

function digest(metafile) {
  const hash = createHash('sha256');
  for (const file of Object.keys(metafile.outputs).sort()) hash.update(readFileSync(join(root, file)));
  return hash.digest('hex').slice(0, 12);
}

function writeStatic(version) {
  mkdirSync(join(out, 'icons'), { recursive: true });
  for (const size of [192, 512]) {
    writeFileSync(join(out, 'icons', `icon-${size}.png`), pngIcon(size, false));
    writeFileSync(join(out, 'icons', `maskable-${size}.png`), pngIcon(size, true));
  }
  writeFileSync(join(out, 'icons', 'icon.svg'), svgIcon());
  const manifest = {
    name: 'marketplace · Expert 专家',
    short_name: 'Expert',
    description: 'Answer customer questions for the brands you know. 为你熟悉的品牌解答客户咨询。',
    id: '/app/',
    start_url: '/app/',
    scope: '/app/',
    display: 'standalone',
    orientation: 'portrait',
    background_color: '#f6f8fb',
    theme_color: '#0b6bcb',
    lang: 'en',
    icons: [
      { src: '/static/dist/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/static/dist/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/static/dist/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
      { src: '/static/dist/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: '/static/dist/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  };
  writeFileSync(join(out, 'manifest.webmanifest'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(out, 'build.json'), JSON.stringify({ version }, null, 2));
}

const SHELL = [
  '/app/',
  '/app/manifest.webmanifest',
  '/static/dist/app.js',
  '/static/dist/app-style.css',
  '/static/dist/icons/icon-192.png',
  '/static/dist/icons/icon.svg',
];

async function buildWorker(version) {
  await esbuild.build({
    ...common,
    entryPoints: [join(here, 'src/sw.js')],
    outfile: join(out, 'sw.js'),
    format: 'iife',
    define: { VERSION: JSON.stringify(version), SHELL: JSON.stringify(SHELL) },
  });
}

async function main() {
  await checkCatalogues();
  if (watch) {
    const context = await esbuild.context(apps);
    await context.watch();
    await buildWorker('dev');
    writeStatic('dev');
    return;
  }
  rmSync(out, { recursive: true, force: true });
  const result = await esbuild.build(apps);
  const version = digest(result.metafile);
  await buildWorker(version);
  writeStatic(version);
  console.log(`built static/dist (version ${version})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
