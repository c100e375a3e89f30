// A child process's view of one ClusterWatch: started against the server and
// CA given as arguments, it prints {"synced": true} or the first failure's
// kind and code as one JSON line, and exits. Tests run it to see what the
// client does under an environment of its own (NODE_TLS_REJECT_UNAUTHORIZED),
// which a Jest test cannot set for Node's own TLS code in its process.
//   node first-outcome.js SERVER_URL CA_FILE TOKEN
import { ApiServerConnectionSchema, Secret } from '../../../src/config/credentials/connection.js';
import { ClusterWatch } from '../../../src/k8s/index.js';

const [server = '', caFile = '', token = ''] = process.argv.slice(2);
const watch = new ClusterWatch({
  connection: ApiServerConnectionSchema.parse({
    source: 'kubeconfig',
    server,
    tls: { caFile, insecureSkipVerify: false },
    auth: { token: new Secret(token) },
    disableCompression: false,
    identity: 'test',
    client: { qps: 5, burst: 10, contentType: 'application/json', acceptContentTypes: '' },
  }),
  nodeName: 'node-a',
  onHealth: (health) => {
    const error = health.lastError?.error;
    if (!health.synced && !error) return;
    process.stdout.write(
      `${JSON.stringify(error ? { synced: false, kind: error.kind, code: error.code } : { synced: true })}\n`,
    );
    void watch.stop().then(() => process.exit(0));
  },
});
watch.start();
