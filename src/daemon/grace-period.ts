// How long a TCP real server may drain with connections left before it is deleted anyway.
// kube-proxy waits without a limit; an idle TCP connection in IPVS lasts the kernel's tcp
// timeout (15 minutes by default), so waiting that long lets ordinary connections end.
export const GRACE_PERIOD_MS = 15 * 60 * 1000;
