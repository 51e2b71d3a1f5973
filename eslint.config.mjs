// ESLint flat config: typescript-eslint's type-checked recommendations plus the project's import boundaries
// (CONVENTIONS.md, "Boundaries"). test/int/lint/boundaries.int-spec.ts proves each boundary rule still fires.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const root = path.dirname(fileURLToPath(import.meta.url));
const APPS = ['gateway', 'auth', 'router', 'billing', 'log-writer', 'standalone'];
/** Modules that do I/O: libs/protocols holds pure converters and must import none of them. */
const IO_MODULES = [
  /^(node:)?(fs|fs\/promises|net|tls|dgram|dns|http|https|http2|child_process|cluster|worker_threads)$/,
  /^(undici|ioredis|nats|pg|prisma)(\/.*)?$/,
  /^@prisma\//,
  /^@electric-sql\//,
  /^@switchboard\/(db|messaging|health|runtime|limits|testing)$/,
];

/** Where an import points: { app } for an app (path or alias), { lib } for a lib, { external } otherwise. */
function target(spec, fromFile) {
  const alias = /^@switchboard\/([\w-]+)/.exec(spec);
  if (alias) return APPS.includes(alias[1]) ? { app: alias[1], alias: true } : { lib: alias[1], alias: true };
  if (!spec.startsWith('.')) return { external: spec };
  const rel = path.relative(root, path.resolve(path.dirname(fromFile), spec)).split(path.sep);
  if (rel[0] === 'apps') return { app: rel[1] };
  if (rel[0] === 'libs') return { lib: rel[1] };
  return { other: rel.join('/') };
}

/** The boundary that `spec`, imported from `file`, crosses; undefined when allowed. */
function violation(spec, file) {
  const rel = path.relative(root, file).split(path.sep);
  const t = target(spec, file);
  if (rel[0] === 'apps') {
    const app = rel[1];
    // apps/standalone composes the five services through their package aliases (their public index), nothing deeper.
    if (t.app && t.app !== app && !(app === 'standalone' && t.alias)) return `apps never import another app (apps/${app} → ${t.app})`;
    if (app === 'gateway' && (t.lib === 'db' || /^@prisma\//.test(spec) || /^(pg|prisma)(\/|$)/.test(spec)))
      return 'the gateway never imports @switchboard/db or Prisma: services own their tables';
  }
  if (rel[0] === 'libs') {
    if (t.app) return `libs never import apps (${t.app})`;
    const name = rel[rel.length - 1];
    const pure = rel[1] === 'protocols' && rel[2] === 'src' && rel[3] !== 'testing' && !name.endsWith('.spec.ts');
    if (pure) {
      const io =
        t.external !== undefined ? IO_MODULES.some((re) => re.test(spec)) : t.alias ? IO_MODULES.some((re) => re.test(spec)) : t.lib && t.lib !== 'protocols';
      if (io) return `libs/protocols does no I/O: it may not import ${spec}`;
    }
  }
  return undefined;
}

const boundaries = {
  meta: { type: 'problem', docs: { description: 'Import boundaries of CONVENTIONS.md' }, schema: [] },
  create(context) {
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const why = violation(source.value, context.filename);
      if (why) context.report({ node: source, message: why });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source),
      ExportNamedDeclaration: (n) => check(n, n.source),
      ExportAllDeclaration: (n) => check(n, n.source),
      ImportExpression: (n) => check(n, n.source),
      TSImportEqualsDeclaration: (n) => n.moduleReference.type === 'TSExternalModuleReference' && check(n, n.moduleReference.expression),
      CallExpression: (n) => n.callee.type === 'Identifier' && n.callee.name === 'require' && check(n, n.arguments[0]),
    };
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/db/generated/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { switchboard: { rules: { boundaries } } },
    rules: {
      'switchboard/boundaries': 'error',
      // Off: `async` without `await` is how this code implements Promise-returning interfaces (Nest handlers, transports,
      // fakes) and turns a throw into a rejection; dropping `async` to please the rule would change behaviour.
      '@typescript-eslint/require-await': 'off',
      // Off: where this code throws from a catch it replaces the caught error with a clearer diagnosis on purpose (e.g.
      // "in use by process N" for EEXIST); attaching `cause` would change what is logged.
      'preserve-caught-error': 'off',
      // A leading underscore marks a parameter or binding kept on purpose (a signature to match, a key dropped by rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests (and the mock upstream they drive) read JSON and YAML as `any` and assert on it: typing every answer would add
    // noise, not safety, and a value stringified as [object Object] there fails the assertion visibly.
    files: ['**/*.spec.ts', 'test/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (scripts, bench, jest config, the image's health check) is outside tsconfig.json: no type information.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: { ...globals.node },
    },
  },
  {
    files: ['**/*.cjs', 'jest.config.js', 'deploy/healthcheck.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }, // CommonJS files load modules with require().
  },
);
