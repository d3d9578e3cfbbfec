// Checks TeX formulas with MathJax itself, configured like Anki's reviewer.
//
// A long-lived checker that answers while the deck is still rendering. Lines of JSON:
// stdin:  first {"tex": {...Anki's tex options...}}, then batches [{"tex": "...", "display": true}, ...]
// stdout: for each batch, one line [null | "MathJax's message", ...] in the same order
//
// Anki loads the tex-chtml-full component, whose package list is ['require', ...AllPackages]
// (mathjax-full/components/src/input/tex/extensions/all-packages/all-packages.js), and then
// applies its own "[+]"/"[-]" changes. The checker leaves out noerrors and noundefined: with
// them MathJax draws errors in red instead of reporting them, which is what we want to catch.
// Run by mdanki/mathcheck.py; `npm ci` installs the pinned mathjax-full it needs.

import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

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
const FilterUtil = require('mathjax-full/js/input/tex/FilterUtil.js').default;

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
// bussproofs refuses to configure without an output jax (Anki has CommonHTML); it is never
// used to render here, so one instance serves every document (building one is slow)
const output = new CHTML();
let options = null;

function parser() {
  const { inlineMath, displayMath, processEscapes, processEnvironments, processRefs, packages, ...rest } = options;
  const jax = new TeX({
    ...rest,
    packages: packageList(packages),
    formatError: (_jax, error) => { throw error; },
  });
  // TeX's own post-filters only reshape the finished MathML for output and never raise; a
  // check needs only the parse, and skipping them saves a third of its time
  for (const name of ['cleanSubSup', 'setInherited', 'moveLimits', 'cleanStretchy', 'cleanAttributes', 'combineRelations']) {
    jax.postFilters.remove(FilterUtil[name]);
  }
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

let shared = null;

function verdict(formula) {
  const own = STATEFUL.test(formula.tex);
  try {
    return check(own ? parser() : shared, formula);
  } catch (error) {
    if (!own) shared = parser(); // an error may leave the shared parser mid-equation
    return message(error);
  }
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (options === null) {
    options = JSON.parse(line).tex;
    shared = parser();
  } else if (line) {
    process.stdout.write(JSON.stringify(JSON.parse(line).map(verdict)) + '\n');
  }
}
