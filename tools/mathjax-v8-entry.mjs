// The TeX check of check.mjs for an embedded V8 (mini-racer): no Node, no stdin, no files.
//
// tools/build_mathjax_bundle.py bundles this file with mathjax-full 3.2.2 into
// mdanki/mathjax_v8.js, one script that defines two global functions:
//   mdankiConfigure(texOptionsJson)  Anki's tex options (what check.mjs's first line holds as "tex")
//   mdankiCheck(batchJson)           '[{"tex": "...", "display": true}, ...]' in,
//                                    '[null | "MathJax\'s message", ...]' out, same order
// Everything below the shims is check.mjs's logic, line for line (tests/test_mathjax_v8.py
// compares the two files' key lines and both routes' verdicts on a corpus): keep them equal.

// A bare V8 has neither of these; MathJax only names them (a console.warn on a version
// mismatch, timers in code the checker never runs), so do-nothing stand-ins are enough.
if (typeof globalThis.console === 'undefined') {
  const quiet = () => {};
  globalThis.console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet };
}
if (typeof globalThis.setTimeout === 'undefined') {
  globalThis.setTimeout = () => 0;
  globalThis.clearTimeout = () => {};
}

// require() as in check.mjs (there from createRequire): esbuild resolves and inlines each one
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

// check.mjs's stdin loop, as two calls: the first line, then one call per batch line
globalThis.mdankiConfigure = (texOptionsJson) => {
  options = JSON.parse(texOptionsJson);
  shared = parser();
};

globalThis.mdankiCheck = (line) => {
  if (options === null) throw new Error('mdankiConfigure must be called first');
  return JSON.stringify(JSON.parse(line).map(verdict));
};
