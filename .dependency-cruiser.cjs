// dependency-cruiser: the layer rules as a check in `make lint`. Layers depend only downward,
// type imports included (the swc parser below keeps them in the graph):
//
//   native <- net, netlink, yaml <- kernel families (ipvs, rtnl, ipset, conntrack, iptables; ipvsadm
//   over ipvs) <- contracts <- kernel/ (the real port), proxy/ (pure model), reconcile/ (pure
//   diff) <- sync/ <- k8s/, config/ <- daemon/ <- cli/
//
// Each rule names a folder and what it may not import, or the only folders it may import. Only
// src/ is cruised: tests and the benchmark are free. There are no known violations: any
// import that breaks a rule fails `make lint`.
// The kernel families: one folder per netlink family or kernel tool format.
const FAMILIES = '(ipvs|rtnl|ipset|conntrack|iptables|ipvsadm)';

/** A rule that a layer imports only `allowed` (and itself) from src/. */
const onlyImports = (name, comment, from, allowed) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: '^src/', pathNot: [`^src/${allowed}/`, '^src/$1/'] },
});

/** A rule that a layer imports none of `forbidden`. */
const importsNone = (name, comment, from, forbidden) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: `^src/${forbidden}/` },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-imports-no-tests',
      comment: 'Tests and the benchmark import the product, never the other way round.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    onlyImports('native-imports-nothing', 'The native addon loader is the bottom layer.', '(native)', '(native)'),
    onlyImports(
      'net-netlink-import-only-native',
      'Addresses and netlink framing know nothing of any family.',
      '(net|netlink)',
      '(native|net|netlink)',
    ),
    onlyImports(
      'yaml-imports-nothing',
      'Reading YAML text with its positions knows nothing of what the text configures or describes.',
      '(yaml)',
      '(yaml)',
    ),
    onlyImports(
      'families-import-only-netlink',
      'A kernel family knows its own messages over netlink, nothing of the model, the plan or the daemon.',
      '(ipvs|rtnl|ipset|conntrack|iptables)',
      '(native|net|netlink)',
    ),
    onlyImports(
      'ipvsadm-imports-only-ipvs-and-netlink',
      "ipvsadm/ is ipvsadm's text for IPVS's own types (src/ipvs), and nothing else.",
      '(ipvsadm)',
      '(native|net|netlink|ipvs)',
    ),
    onlyImports(
      'contracts-import-only-families',
      'The desired state, live state, plan and kernel port are shapes over the families\' types.',
      '(contracts)',
      `(net|${FAMILIES.slice(1, -1)})`,
    ),
    importsNone(
      'kernel-imports-no-upper-layer',
      'kernel/ is the real port: it reads and applies contracts, knows no model, diff, sync or daemon.',
      '(kernel)',
      '(proxy|reconcile|sync|daemon|k8s|cli)',
    ),
    importsNone(
      'model-and-diff-import-no-io',
      'proxy/ (the model) and reconcile/ (the diff) are pure: no kernel, sync, daemon, API or CLI.',
      '(proxy|reconcile)',
      '(kernel|sync|daemon|k8s|cli)',
    ),
    importsNone(
      'sync-imports-no-wiring',
      'The sync engine works behind the kernel port; the daemon wires it, not the other way round.',
      '(sync)',
      '(daemon|k8s|cli)',
    ),
    importsNone('daemon-imports-no-cli', 'The daemon is wiring under the command line.', '(daemon)', '(cli)'),
    importsNone(
      'api-config-doctor-import-no-wiring',
      'The API watch, the configuration and the doctor sit under the daemon and the command line.',
      '(k8s|config|doctor)',
      '(daemon|cli)',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(build|node_modules)/' },
    // swc parses TypeScript without TypeScript's JavaScript API (which TypeScript 7 lacks) and
    // keeps type-only imports (`import type`, `import { type X }`, `import('...')` types) in the
    // graph, so they count against the rules like any import.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
