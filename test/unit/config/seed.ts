// The examples of the hardening guide kipvs follows (shared/seeds/001): the
// kube-proxy config.conf and the kubeconfig it names, once as printed there
// (children of clientConnection, and of the list items, not indented) and once
// as kube-proxy (kubeadm) writes them.

/** As printed in the guide: clientConnection's fields sit at the top level. */
export const GUIDE_CONFIG_AS_PRINTED = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
acceptContentTypes: ""
burst: 0
contentType: ""
kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
qps: 0
clusterCIDR: 172.17.0.0/16
`;

/**
 * The same settings indented as intended. The guide shows an excerpt; the file
 * kubeadm writes also carries `kind`, which kube-proxy's decoder requires.
 */
export const guideConfig = (
  kubeconfig = '/var/lib/kube-proxy/kubeconfig.conf',
): string => `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: ${kubeconfig}
  qps: 0
clusterCIDR: 172.17.0.0/16
`;

/** The guide's kubeconfig as printed: list items' children not indented. */
export const GUIDE_KUBECONFIG_AS_PRINTED = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://controlplane:6443
name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
name: default
current-context: default
users:
- name: default
user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
`;

/** The guide's kubeconfig indented as intended, with its paths replaceable for tests. */
export const guideKubeconfig = (
  ca: string,
  tokenFile: string,
  server = 'https://controlplane:6443',
): string => `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: ${ca}
    server: ${server}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: ${tokenFile}
`;
