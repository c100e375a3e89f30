// IPVS tables for the kernel tests of kipvs dump and restore, as ipvsadm -R input.

/** Every feature of the ipvsadm format, as ipvsadm -R input. */
export const FEATURES = [
  '-A -t 10.0.0.1:80 -s rr -p',
  '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 3 -x 100 -y 50',
  '-a -t 10.0.0.1:80 -r 10.1.0.2 -g',
  '-a -t 10.0.0.1:80 -r 10.1.0.3 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-a -t 10.0.0.1:80 -r 10.1.0.4 -i --tun-type gue --tun-port 6081 --tun-remcsum',
  '-a -t 10.0.0.1:80 -r 10.1.0.5 -i --tun-type gre --tun-csum',
  '-a -t 10.0.0.1:80 -r 10.1.0.6 -i',
  '-a -t 10.0.0.1:80 -r 10.1.0.7 -i --tun-type gue --tun-port 99',
  '-a -t 10.0.0.1:80 -r 10.1.0.8 -i --tun-type gre',
  '-a -t 10.0.0.1:80 -r 2001:db8::7 -i',
  '-a -t 10.0.0.1:80 -r 127.0.0.1 -m -w 0',
  '-a -t 10.0.0.1:80 -r 200.1.0.1 -m -w 2147483647',
  '-A -t 192.168.1.1:80 -s wrr',
  '-A -t 200.0.0.1:80 -s sh -b sh-fallback,sh-port',
  '-A -t 200.0.0.2:80 -s sh -b sh-port',
  '-A -u 10.0.0.2:53 -s mh -b mh-port -o',
  '-A -u 10.0.0.3:53 -s mh -b mh-fallback',
  '-A --sctp-service 10.0.0.3:5000 -s lc -p 60 -M 255.255.255.0',
  '-A -t 10.0.0.4:443 -s lblc -p 120 -M 255.0.255.0',
  '-A -t 10.0.0.5:443 -s lblcr',
  '-A -t 10.0.0.6:443 -s wlc --pe sip',
  '-A -u 10.0.0.7:5060 -s dh -p 30 --pe sip',
  '-A -t 10.0.0.8:0 -s ovf -p',
  '-A -t 10.0.0.9:81 -s fo -b flag-1,flag-2,flag-3',
  '-A -t 10.0.0.10:82 -s sh -b flag-3',
  '-A -t 10.0.0.11:83 -s nq',
  '-A -t 10.0.0.12:84 -s sed',
  '-A -f 7 -s dh',
  '-a -f 7 -r 10.2.0.1:99 -m -x 5 -y 1',
  '-a -f 7 -r 10.2.0.2 -g',
  '-A -f 8 -6 -s sed -p 100 -M 64',
  '-a -f 8 -6 -r [2001:db8::9]:99 -m -w 2',
  '-a -f 8 -6 -r 10.2.0.9 -i --tun-type ipip',
  '-A -f 4294967295 -s rr',
  '-A -f 2147483648 -s wrr -p 10',
  '-A -t [2001:db8::1]:443 -s nq -p 20 -M 64 --pe sip',
  '-a -t [2001:db8::1]:443 -r [2001:db8::10]:8443 -m -x 7',
  '-a -t [2001:db8::1]:443 -r [2001:db8::11]:8443 -g',
  '-a -t [2001:db8::1]:443 -r 10.3.0.1 -i',
  '-A -u [2001:db8::1]:443 -s fo -b flag-1',
  '-A --sctp-service [fe80::1]:9 -s rr',
  '-A -t [::ffff:1.2.3.4]:80 -s rr',
  '-A -t [::1.2.3.5]:80 -s rr',
  '-A -u [::1]:53 -s wrr',
  '',
].join('\n');

/**
 * `services` services with `realServers` masquerading real servers each, addresses, ports and
 * marks spread over their whole ranges (IPv4 and IPv6; TCP, UDP, SCTP and fwmark), from a fixed
 * seed. Over such a table libipvs's wrapping comparison is not transitive, so only the very same
 * sort over the same kernel order gives ipvsadm's output.
 */
export function randomTable(services: number, realServers: number, seed = 12345): string {
  const { random, ipv4, ipv6, port } = randomSource(seed);
  const lines: string[] = [];
  const seen = new Set<string>();
  while (seen.size < services) {
    const i = seen.size;
    const v6 = i % 5 === 0;
    const service =
      i % 7 === 0
        ? `-f ${random() || 1}${v6 ? ' -6' : ''}`
        : `${['-t', '-u', '--sctp-service'][i % 3]} ${v6 ? `[${ipv6()}]` : ipv4()}:${port()}`;
    if (seen.has(service)) continue;
    seen.add(service);
    lines.push(`-A ${service} -s rr`);
    const servers = new Set<string>();
    while (servers.size < realServers) servers.add(`${v6 ? `[${ipv6()}]` : ipv4()}:${port()}`);
    for (const [j, server] of [...servers].entries()) lines.push(`-a ${service} -r ${server} -m -w ${j}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Addresses, ports and marks over their whole ranges, from a fixed seed (a linear congruential generator). */
function randomSource(seed: number) {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  // Non-zero groups keep the text canonical (as ipvsadm prints it): no zero group but the "::" run.
  const hex = () => (random() & 0xffff || 1).toString(16);
  const ipv4 = () => [(random() >>> 24) % 223 || 1, random() & 255, random() & 255, (random() & 253) + 1].join('.');
  const ipv6 = () =>
    `2${(random() & 0xfff).toString(16)}:${hex()}:${hex()}::${hex()}:${((random() & 0xfffe) + 1).toString(16)}`;
  const port = () => (random() % 65535) + 1;
  const pick = <T>(items: readonly T[]): T => items[random() % items.length] as T;
  return { random, ipv4, ipv6, port, pick };
}

/**
 * `services` services of every kind (TCP, UDP, SCTP, fwmark; IPv4 and IPv6) with what a table
 * may hold: schedulers and their flags, persistence with netmasks and the sip engine, one-packet
 * scheduling, 0 to 12 real servers each with every forwarding method, tunnel options, weights
 * and thresholds. As ipvsadm -R input, from a fixed seed.
 */
export function randomFeatureTable(services: number, seed = 4242): string {
  const { random, ipv4, ipv6, port, pick } = randomSource(seed);
  const lines: string[] = [];
  const seen = new Set<string>();
  while (seen.size < services) {
    const v6 = random() % 4 === 0;
    const protocol = pick(['-t', '-u', '--sctp-service', '-f']);
    const service =
      protocol === '-f'
        ? `-f ${random() || 1}${v6 ? ' -6' : ''}`
        : `${protocol} ${v6 ? `[${ipv6()}]` : ipv4()}:${port()}`;
    if (seen.has(service)) continue;
    seen.add(service);
    const scheduler = pick(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh']);
    const options = [`-s ${scheduler}`];
    if (scheduler === 'sh') options.push(pick(['', '-b sh-fallback', '-b sh-port', '-b sh-fallback,sh-port']));
    if (scheduler === 'mh') options.push(pick(['', '-b mh-fallback', '-b mh-port']));
    if (random() % 3 === 0)
      options.push(
        `-p ${(random() % 3600) + 1}`,
        pick(['', v6 ? `-M ${(random() % 128) + 1}` : pick(['-M 255.255.255.0', '-M 255.255.0.0'])]),
      );
    if (protocol === '-u' && random() % 4 === 0) options.push('-o');
    if (random() % 10 === 0) options.push('--pe sip');
    lines.push(`-A ${service} ${options.filter((o) => o !== '').join(' ')}`);
    const servers = new Set<string>();
    const count = random() % 13;
    while (servers.size < count) servers.add(`${v6 ? `[${ipv6()}]` : ipv4()}:${port()}`);
    for (const server of servers) {
      const method = pick([
        '-m',
        '-g',
        '-i',
        '-i --tun-type gue --tun-port 6080 --tun-csum',
        '-i --tun-type gre --tun-csum',
        '-i --tun-type gue --tun-port 7 --tun-remcsum',
        '-i --tun-type ipip',
      ]);
      const upper = random() % 3 === 0 ? (random() % 1000) + 1 : 0;
      const thresholds = upper > 0 ? ` -x ${upper} -y ${random() % (upper + 1)}` : '';
      lines.push(`-a ${service} -r ${server} ${method} -w ${random() % 101}${thresholds}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
