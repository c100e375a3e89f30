// The chart's RBAC is exactly the least kipvs needs: list/watch Services, EndpointSlices and
// Nodes, create events.k8s.io Events. Nothing else, no wildcards.
import { describe, expect, it } from '@jest/globals';
import { daemonSet, helm, deepMerge, BASE_VALUES, only, render, type K8sObject } from './helm.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** "group/resource:verb" for every combination a rule grants. */
function grants(rules: readonly Rule[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs ?? []) out.push(`${group}/${resource}:${verb}`);
  }
  return out.sort();
}

describe('RBAC', () => {
  const objects = render();
  const role = only(objects, 'ClusterRole');
  const rules = role['rules'] as Rule[];

  it('grants exactly list/watch on Services, Nodes and EndpointSlices, and create on events.k8s.io Events', () => {
    expect(grants(rules)).toEqual(
      [
        '/nodes:list',
        '/nodes:watch',
        '/services:list',
        '/services:watch',
        'discovery.k8s.io/endpointslices:list',
        'discovery.k8s.io/endpointslices:watch',
        'events.k8s.io/events:create',
      ].sort(),
    );
  });

  it('has no wildcard, no get, no resource names, no non-resource URLs, no core Events and no Secrets', () => {
    const all = grants(rules);
    expect(all.filter((g) => g.includes('*'))).toEqual([]);
    expect(all.filter((g) => g.endsWith(':get') || g.endsWith(':update') || g.endsWith(':delete'))).toEqual([]);
    expect(all.filter((g) => g.startsWith('/events'))).toEqual([]);
    expect(all.filter((g) => g.includes('secrets') || g.includes('pods') || g.includes('configmaps'))).toEqual([]);
    for (const rule of rules) {
      expect(rule.resourceNames).toBeUndefined();
      expect(rule.nonResourceURLs).toBeUndefined();
    }
    // No Role or RoleBinding grants anything beside the ClusterRole.
    expect(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
  });

  it('binds the role to the service account the DaemonSet runs as, in the release namespace', () => {
    const binding = only(objects, 'ClusterRoleBinding');
    const account = only(objects, 'ServiceAccount');
    expect(binding['roleRef']).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding['subjects']).toEqual([
      { kind: 'ServiceAccount', name: account.metadata.name, namespace: 'kube-system' },
    ]);
    expect(account.metadata.namespace).toBe('kube-system');
    expect(daemonSet(objects).pod.serviceAccountName).toBe(account.metadata.name);
  });

  it('renders no RBAC with rbac.create=false, and an existing service account by name', () => {
    const without = render({ rbac: { create: false }, serviceAccount: { create: false, name: 'kube-proxy' } });
    expect(
      without.filter((o: K8sObject) => ['ClusterRole', 'ClusterRoleBinding', 'ServiceAccount'].includes(o.kind)),
    ).toEqual([]);
    expect(daemonSet(without).pod.serviceAccountName).toBe('kube-proxy');
  });

  it('refuses serviceAccount.create=false without a name', () => {
    const result = helm('template', deepMerge(BASE_VALUES, { serviceAccount: { create: false } }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('serviceAccount.name must name an existing service account');
  });
});
