/**
 * Import boundaries (the README's "Design"), checked by `npm run lint:deps`, part of `npm test`.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module imports itself through others, type-only imports included: the layers stay a tree.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'rules-models-are-pure',
      severity: 'error',
      comment: 'rules/ and models/ are pure functions over plain data: they import nothing from src/ (the service).',
      from: { path: '^(rules|models)/' },
      to: { path: '^src/' },
    },
    {
      name: 'service-never-runs-the-simulator',
      severity: 'error',
      comment: 'sim/ generates test and demo claims; the service (src/), rules/ and models/ never import it.',
      from: { path: '^(src|rules|models)/' },
      to: { path: '^sim/' },
    },
    {
      name: 'db-below-http',
      severity: 'error',
      comment: 'src/db/ is below HTTP: it imports nothing from src/http/.',
      from: { path: '^src/db/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'routes-independent',
      severity: 'error',
      comment: 'A routes file imports no other routes file: what two features share lives in a module of its own.',
      from: { path: '\\.routes\\.tsx?$' },
      to: { path: '\\.routes\\.tsx?$' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every relative import resolves to a file.',
      from: {},
      to: { couldNotResolve: true, dependencyTypesNot: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'types', 'default'] },
  },
};
