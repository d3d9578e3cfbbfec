// Checks TeX formulas with MathJax itself, configured like Anki's reviewer.
//
// stdin:  {"tex": {...Anki's tex options...}, "formulas": [{"tex": "...", "display": true}, ...]}
// stdout: [{"error": null | "MathJax's message"}, ...] in the same order
//
// Anki loads the tex-chtml-full component, whose package list is ['require', ...AllPackages]
// (mathjax-full/components/src/input/tex/extensions/all-packages/all-packages.js), and then
// applies its own "[+]"/"[-]" changes. The checker leaves out noerrors and noundefined: with
// them MathJax draws errors in red instead of reporting them, which is what we want to catch.
// Run by mdanki/mathcheck.py; `npm ci` installs the pinned mathjax-full it needs.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { mathjax } = require('mathjax-full/js/mathjax.js');
const { TeX } = require('mathjax-full/js/input/tex.js');
const { CHTML } = require('mathjax-full/js/output/chtml.js');
const { liteAdaptor } = require('mathjax-full/js/adaptors/liteAdaptor.js');
const { RegisterHTMLHandler } = require('mathjax-full/js/handlers/html.js');
const { AllPackages } = require('mathjax-full/js/input/tex/AllPackages.js');
require('mathjax-full/js/input/tex/require/RequireConfiguration.js');
const TexError = require('mathjax-full/js/input/tex/TexError.js').default;
const { STATE } = require('mathjax-full/js/core/MathItem.js');

const REPORTERS = new Set(['noerrors', 'noundefined']);
// formulas that can change the parser's state for the next one get a parser of their own
const STATEFUL = /\\(?:[gex]?def|let|(?:re)?newcommand|providecommand|(?:re)?newenvironment|DeclareMathOperator|Newextarrow|require|label|tag|setOptions)(?![a-zA-Z])/;

function packageList(changes = {}) {
  const added = changes['[+]'] || [];
  const removed = new Set(changes['[-]'] || []);
  const all = [...new Set(['require', ...AllPackages, ...added])];
  return all.filter((name) => !removed.has(name) && !REPORTERS.has(name));
}

function message(error) {
  const text = (error && error.message ? error.message : String(error)).split('\n')[0];
  // anything but a TeX error is MathJax itself failing (e.g. \require wanting a browser)
  return error instanceof TexError ? text : `MathJax could not check this formula (${text})`;
}

RegisterHTMLHandler(liteAdaptor());
const request = JSON.parse(readFileSync(0, 'utf8'));
const { inlineMath, displayMath, processEscapes, processEnvironments, processRefs, packages, ...options } = request.tex;
// bussproofs refuses to configure without an output jax (Anki has CommonHTML); it is never
// used to render here, so one instance serves every document (building one is slow)
const output = new CHTML();

function parser() {
  const jax = new TeX({
    ...options,
    packages: packageList(packages),
    formatError: (_jax, error) => { throw error; },
  });
  return { jax, doc: mathjax.document('', { InputJax: jax, OutputJax: output }) };
}

function check({ doc, jax }, formula) {
  jax.reset();
  const mml = doc.convert(formula.tex, { display: formula.display, end: STATE.CONVERT /* parse only */ });
  // belt and braces: some packages build error nodes without throwing
  let error = null;
  mml.walkTree((node) => {
    if (error === null && node.isKind('merror')) error = node.attributes.get('data-mjx-error') || 'MathJax error';
  });
  return error;
}

let shared = parser();
const results = request.formulas.map((formula) => {
  const own = STATEFUL.test(formula.tex);
  try {
    return { error: check(own ? parser() : shared, formula) };
  } catch (error) {
    if (!own) shared = parser(); // an error may leave the shared parser mid-equation
    return { error: message(error) };
  }
});
process.stdout.write(JSON.stringify(results));
