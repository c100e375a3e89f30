// `kipvs dump --services` against a real IPVS table and a test API server over
// HTTPS with a bearer token: each virtual server kipvs would program is named by
// its Service port and role; others are left unnamed; the ipvsadm lines are
// unchanged apart from the comment.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { FakeApiServer } from '../support/fake-apiserver/server.js';
import { port, service } from '../fixtures/proxy/objects.js';
import { ownNetns } from '../uml/netns.js';
import { kipvs } from './kipvs-cli.js';

const own = ownNetns();
let api: FakeApiServer;
let kubeconfig: string;

const TABLE = [
  '-A -t 10.96.0.80:80 -s rr',
  '-a -t 10.96.0.80:80 -r 127.0.0.1:8080 -m -w 1',
  '-A -t 192.168.50.1:30080 -s rr',
  '-A -t 203.0.113.7:80 -s rr',
  '-A -u 10.96.0.10:53 -s rr',
  '-A -t 10.1.2.3:9999 -s wrr',
  '',
].join('\n');

beforeAll(async () => {
  api = await FakeApiServer.start();
  kubeconfig = await api.writeKubeconfig(join(api.dir, 'kubeconfig'));
  api.apply(
    service('web', {
      type: 'NodePort',
      clusterIP: '10.96.0.80',
      clusterIPs: ['10.96.0.80'],
      ipFamilies: ['IPv4'],
      ports: [port('http', 80, 'TCP', 30080)],
      externalIPs: ['203.0.113.7'],
    }),
  );
  api.apply(
    service(
      'kube-dns',
      { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ports: [port('dns', 53, 'UDP')] },
      { namespace: 'kube-system' },
    ),
  );
  await own.run('ipvsadm', ['-R'], { input: TABLE });
});

afterAll(async () => {
  await own.run('ipvsadm', ['-C']);
  await api.close();
});

describe('kipvs dump --services', () => {
  test('names the Service port behind each virtual server, as a comment after the ipvsadm line', async () => {
    const plain = await kipvs(own, ['dump']);
    const named = await kipvs(own, ['dump', '--services', `--kubeconfig=${kubeconfig}`]);
    expect(named.stderr).toBe('');
    expect(named.status).toBe(0);
    const comments = named.stdout.split('\n').flatMap((line) => {
      const at = line.indexOf('  # ');
      return at < 0 ? [] : [`${line.slice(0, at).trim().split(/\s+/).slice(0, 2).join(' ')} = ${line.slice(at + 4)}`];
    });
    expect(comments.sort()).toEqual([
      'TCP 10.96.0.80:80 = default/web:http (cluster-ip)',
      'TCP 192.168.50.1:30080 = default/web:http (node-port)',
      'TCP 203.0.113.7:80 = default/web:http (external-ip)',
      'UDP 10.96.0.10:53 = kube-system/kube-dns:dns (cluster-ip)',
    ]);
    // Without the comments, the text is ipvsadm's.
    expect(named.stdout.replace(/ {2}# .*$/gm, '')).toBe(plain.stdout);
  });

  test('-o json gives each service a "kubernetes" member, null for one no Service has', async () => {
    const result = await kipvs(own, ['dump', '--services', `--kubeconfig=${kubeconfig}`, '-o', 'json']);
    expect(result.status).toBe(0);
    const table = JSON.parse(result.stdout) as {
      services: { key: { address: string }; kubernetes: { namespace: string; name: string; role: string } | null }[];
    };
    const byAddress = Object.fromEntries(
      table.services.map((s) => [
        s.key.address,
        s.kubernetes && `${s.kubernetes.namespace}/${s.kubernetes.name} ${s.kubernetes.role}`,
      ]),
    );
    expect(byAddress).toEqual({
      '10.96.0.80': 'default/web cluster-ip',
      '192.168.50.1': 'default/web node-port',
      '203.0.113.7': 'default/web external-ip',
      '10.96.0.10': 'kube-system/kube-dns cluster-ip',
      '10.1.2.3': null,
    });
  });

  test('a wrong token is one clear sentence and exit status 1, before the kernel is read', async () => {
    api.setToken('rotated');
    try {
      const result = await kipvs(own, ['dump', '--services', `--kubeconfig=${kubeconfig}`]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^kipvs: could not list Services from the API server https:\/\/127\.0\.0\.1:\d+ .*: .*(401|nauthori)/,
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      api.setToken(api.token);
    }
  });
});
