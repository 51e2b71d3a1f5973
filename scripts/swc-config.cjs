// One source of truth for path aliases: tsconfig.base.json. SWC (build) and Jest (tests) derive theirs from it.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const paths = tsconfig.compilerOptions.paths;

function swcOptions({ sourceMaps = true } = {}) {
  return {
    sourceMaps,
    module: { type: 'commonjs', strictMode: true },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      baseUrl: root,
      paths,
    },
  };
}

function jestModuleNameMapper() {
  const map = {};
  for (const [alias, [target]] of Object.entries(paths)) {
    map[`^${alias.replace(/[/.]/g, (c) => '\\' + c)}$`] = path.join('<rootDir>', target);
  }
  return map;
}

module.exports = { root, paths, swcOptions, jestModuleNameMapper };
