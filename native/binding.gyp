{
  "targets": [
    {
      "target_name": "kipvs_netlink",
      "sources": ["netlink_socket.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
