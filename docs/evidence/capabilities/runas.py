#!/usr/bin/env python3
"""Start a command the way runc starts a container's process, for the capability cases in run.sh.

usage: runas.py UID CAPS [--ambient] [--nnp] -- COMMAND [ARG...]

CAPS is a comma list (net_admin,net_raw) or "-" for none. As runc does with the OCI spec a CRI
runtime writes: the bounding set is cut to CAPS, the uid and gid are switched with keep-caps,
effective and permitted become CAPS (inheritable and ambient too only with --ambient: containerd
and CRI-O leave ambient empty), no_new_privs is set with --nnp (allowPrivilegeEscalation: false),
then execve. Must start as root.
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_KEEPCAPS, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE = 8, 24, 38, 47, 2
SYS_CAPSET = 126  # x86_64
CAPS = {'dac_override': 1, 'net_admin': 12, 'net_raw': 13, 'sys_module': 16, 'sys_admin': 21}


def prctl(*args):
    padded = [ctypes.c_ulong(a) for a in args] + [ctypes.c_ulong(0)] * (5 - len(args))
    if libc.prctl(*padded) != 0:
        raise OSError(ctypes.get_errno(), f'prctl{args}')


class Header(ctypes.Structure):
    _fields_ = [('version', ctypes.c_uint32), ('pid', ctypes.c_int)]


class Data(ctypes.Structure):
    _fields_ = [('effective', ctypes.c_uint32), ('permitted', ctypes.c_uint32), ('inheritable', ctypes.c_uint32)]


def capset(effective, permitted, inheritable):
    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    for i in range(2):
        data[i].effective = (effective >> (32 * i)) & 0xFFFFFFFF
        data[i].permitted = (permitted >> (32 * i)) & 0xFFFFFFFF
        data[i].inheritable = (inheritable >> (32 * i)) & 0xFFFFFFFF
    if libc.syscall(SYS_CAPSET, ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), 'capset')


def main():
    uid = int(sys.argv[1])
    names = [] if sys.argv[2] == '-' else sys.argv[2].split(',')
    rest = sys.argv[3:]
    command = rest[rest.index('--') + 1:]
    ambient, nnp = '--ambient' in rest, '--nnp' in rest
    mask = 0
    for name in names:
        mask |= 1 << CAPS[name]
    with open('/proc/sys/kernel/cap_last_cap') as f:
        last = int(f.read())
    for cap in range(last + 1):
        if not mask & (1 << cap):
            prctl(PR_CAPBSET_DROP, cap)
    prctl(PR_SET_KEEPCAPS, 1)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    capset(mask, mask, mask if ambient else 0)
    if ambient:
        for name in names:
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAPS[name])
    if nnp:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
    try:
        os.execvp(command[0], command)
    except OSError as err:
        sys.stderr.write(f'execve {command[0]}: {err.strerror}\n')
        sys.exit(126)


main()
