// "host:port" as Go's net.JoinHostPort writes it, which is how kube-proxy, ipvsadm and ip
// show an address with a port: an IPv6 address in brackets ("[fd00::1]:443"), any other
// host as it is ("10.96.0.1:443", "localhost:10249").

export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
