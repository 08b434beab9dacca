// Keep the rules of a stylesheet that some page of the built site can use (PurgeCSS, package.json).
//   node _ext/purge_css.mjs SITE_DIR IN.css OUT.css [SKIP_JS ...]
// A selector is kept when its class names, ids, tags and attributes occur in the site's HTML or in
// the scripts under _static (so classes a script adds, such as Bootstrap's "show", are kept).
// SKIP_JS names scripts under _static that no page loads, whose strings would keep rules for
// nothing. A custom property is kept when a kept rule uses it, or when the pages or scripts name it
// (a figure's inline style, a script reading the theme's colours). Comments go, except the /*! ones
// (licences).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postcss from "postcss";
import { PurgeCSS } from "purgecss";

const [site, input, output, ...skip] = process.argv.slice(2);
const skipped = skip.map((name) => join(site, "_static", name));

const named = new Set();
for (const file of readdirSync(site, { recursive: true })) {
  const path = join(site, file);
  if (/\.(html|js)$/.test(file) && !skipped.includes(path)) {
    for (const [name] of readFileSync(path, "utf8").matchAll(/--[\w-]+/g)) named.add(name);
  }
}

const [result] = await new PurgeCSS().purge({
  content: [`${site}/**/*.html`, `${site}/_static/**/*.js`],
  skippedContentGlobs: skipped,
  css: [input],
  // Keep every @font-face and @keyframes: the browser fetches a font only when text uses it.
  fontFace: false,
  keyframes: false,
  variables: true,
  // The figures' rules (figure.css: every one is for something a figure shows) are kept whole: a
  // state such as [data-ready] is set by the script, and their drawings come as data.
  safelist: { variables: [...named], greedy: [/^agi-/] },
});
const root = postcss.parse(result.css);
root.walkComments((comment) => { if (!comment.text.startsWith("!")) comment.remove(); });
writeFileSync(output, root.toString());
