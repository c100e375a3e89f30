# syntax=docker/dockerfile:1
# The kipvs image: `make image IMAGE=registry/kipvs:TAG`, or docker build -t ... .
#
# Two stages. The build stage has the toolchain (Node.js 24, and python3, make and g++ for
# node-gyp) and builds exactly as a developer does (`make build`: npm ci, the native addon, tsc).
# The runtime stage is a slim Node.js 24 image with only what kipvs runs: the bundled
# JavaScript, the addon, the production dependencies (for anything the bundle leaves out), and the node tools it drives or that the
# chart's init container uses: iptables (both backends), ipset, conntrack, kmod (modprobe).

FROM node:24-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY package.json package-lock.json Makefile ./
RUN make deps
COPY . .
RUN make build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# iptables ships both xtables-nft-multi and xtables-legacy-multi; kipvs-iptables-select picks
# one at start. The links below are that choice's PATH directories: the root filesystem stays
# read-only at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables ipset conntrack kmod \
 && rm -rf /var/lib/apt/lists/* \
 && for backend in nft legacy; do \
      mkdir -p /usr/lib/kipvs/iptables-$backend; \
      for name in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do \
        ln -s /usr/sbin/xtables-$backend-multi /usr/lib/kipvs/iptables-$backend/$name; \
      done; \
    done
WORKDIR /opt/kipvs
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
# bin/kipvs runs the esbuild bundle of the command (build/cli); the addon is found from its path.
COPY --from=build /src/build/cli ./build/cli
COPY --from=build /src/native/build/Release/kipvs_netlink.node ./native/build/Release/
COPY --from=build /src/node_modules ./node_modules
COPY image/kipvs-iptables-select /usr/local/bin/kipvs-iptables-select
RUN ln -s /opt/kipvs/bin/kipvs /usr/local/bin/kipvs
# Root (uid 0), with the capabilities the chart grants (NET_ADMIN, and NET_RAW for
# iptables-legacy) and nothing else. Not a non-root uid: Kubernetes gives a non-root container
# no ambient capabilities, so kipvs and the iptables it runs would hold none; and the node's
# /run/xtables.lock, which iptables-legacy must share with the kubelet, is root's and 0600.
# Measured in docs/evidence/capabilities/results.txt; explained in docs/least-privilege.md.
USER 0:0
ENTRYPOINT ["/usr/local/bin/kipvs-iptables-select", "/usr/local/bin/kipvs"]
CMD ["proxy"]
LABEL org.opencontainers.image.title="kipvs" \
      org.opencontainers.image.description="A drop-in replacement for kube-proxy --proxy-mode=ipvs" \
      org.opencontainers.image.licenses="Apache-2.0"
