// Keep the rules of a stylesheet that some page of the built site can use (PurgeCSS, package.json).
//   node _ext/purge_css.mjs SITE_DIR IN.css OUT.css [SKIP_JS ...]
// A selector is kept when its class names, ids, tags and attributes occur in the site's HTML or in
// the scripts under _static (so classes a script adds, such as Bootstrap's "show", are kept).
// SKIP_JS names scripts under _static that no page loads, whose strings would keep rules for
// nothing. Bootstrap's script names every component of Bootstrap, so the components no page has
// (UNUSED_COMPONENTS: carousels, toasts, popovers...; the theme makes none of them) are left out
// unless some page's HTML has one. A custom property is kept when a kept rule uses it, or when the
// pages or scripts name it (a figure's inline style, a script reading the theme's colours).
// Comments go, except the /*! ones (licences), and so does the whitespace between rules and
// declarations (the theme's stylesheet is minified; Sphinx's and the extensions' are not).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postcss from "postcss";
import { PurgeCSS } from "purgecss";

const [site, input, output, ...skip] = process.argv.slice(2);
const skipped = skip.map((name) => join(site, "_static", name));

const UNUSED_COMPONENTS = [
  "accordion", "alert", "badge", "breadcrumb", "btn-close", "carousel", "modal", "offcanvas",
  "pagination", "placeholder", "popover", "progress", "spinner", "toast",
];

const named = new Set();
const classes = new Set();
for (const file of readdirSync(site, { recursive: true })) {
  const path = join(site, file);
  if (/\.(html|js)$/.test(file) && !skipped.includes(path)) {
    const text = readFileSync(path, "utf8");
    for (const [name] of text.matchAll(/--[\w-]+/g)) named.add(name);
    if (file.endsWith(".html")) {
      for (const [, list] of text.matchAll(/class="([^"]*)"/g)) for (const name of list.split(/\s+/)) classes.add(name);
    }
  }
}
const unused = UNUSED_COMPONENTS.filter((component) => ![...classes].some((name) => name.startsWith(component)));

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
  blocklist: unused.map((component) => new RegExp(`^${component}(-|$)`)),
});
const root = postcss.parse(result.css);
root.walkComments((comment) => { if (!comment.text.startsWith("!")) comment.remove(); });
root.walk((node) => {
  Object.assign(node.raws, { before: "", after: "", semicolon: false });
  if (node.type === "decl") node.raws.between = ":";
  if (node.type === "rule") node.raws.between = "";
  if (node.type === "atrule") Object.assign(node.raws, { between: "", afterName: node.params ? " " : "" });
});
writeFileSync(output, root.toString());
