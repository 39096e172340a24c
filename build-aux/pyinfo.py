# build-aux/pyinfo.py: describe a Python interpreter for configure.
#
# Run by configure as `CANDIDATE build-aux/pyinfo.py`.  Prints shell
# assignments (mp_py_*) that configure evals; it must run on any Python 3
# so that configure can say *why* an interpreter is unsuitable.  Uses
# sysconfig only (never distutils).
import os
import stat
import sys
import sysconfig

try:
    from shlex import quote
except ImportError:  # pragma: no cover - very old Python 3
    from pipes import quote


def var(name):
    value = sysconfig.get_config_var(name)
    return "" if value is None else str(value)


def not_public(path, want_read):
    """Return the first component of `path` that an unprivileged user
    ("other") cannot traverse (or read, for the last one), or ""."""
    path = os.path.realpath(path)
    parts = []
    head = path
    while True:
        parts.append(head)
        parent = os.path.dirname(head)
        if parent == head:
            break
        head = parent
    for comp in reversed(parts):
        try:
            mode = os.stat(comp).st_mode
        except OSError:
            return comp
        need = stat.S_IXOTH if stat.S_ISDIR(mode) else 0
        if comp == path and want_read:
            need |= stat.S_IROTH
        if mode & need != need:
            return comp
    return ""


out = {}
v = sys.version_info
out["version"] = "%d.%d" % (v[0], v[1])
out["full_version"] = "%d.%d.%d" % (v[0], v[1], v[2])
out["hexversion"] = str(sys.hexversion)
# Resolve the directory (on merged-/usr systems /bin -> /usr/bin) but keep
# the file name, so a venv's bin/python stays itself.
exe = sys.executable or ""
if exe:
    exe = os.path.join(os.path.realpath(os.path.dirname(exe)),
                       os.path.basename(exe))
out["executable"] = exe
out["prefix"] = sys.prefix
out["shared"] = "yes" if (var("Py_ENABLE_SHARED") == "1"
                          or var("LDLIBRARY").endswith(".so")) else "no"
out["ldlibrary"] = var("LDLIBRARY")
out["libdir"] = var("LIBDIR")
out["libs"] = var("LIBS")
out["syslibs"] = var("SYSLIBS")
out["ldversion"] = var("LDVERSION") or out["version"]
out["includepy"] = var("INCLUDEPY") or sysconfig.get_paths().get("include", "")
out["header"] = ("yes" if os.path.isfile(os.path.join(out["includepy"],
                                                      "Python.h"))
                 else "no")
paths = sysconfig.get_paths()
out["stdlib"] = paths.get("stdlib", "")
out["purelib"] = paths.get("purelib", "")
out["stdlib_blocked"] = (not_public(out["stdlib"], True)
                         if out["stdlib"] else "")
libpython = os.path.join(out["libdir"], out["ldlibrary"])
out["libpython"] = libpython
out["libpython_blocked"] = (not_public(libpython, True)
                            if os.path.exists(libpython) else "")
exe = out["executable"]
cands = []
if exe:
    d = os.path.dirname(exe)
    cands = [exe + "-config",
             os.path.join(d, "python%s-config" % out["version"]),
             os.path.join(d, "python3-config")]
out["config_script"] = ""
for c in cands:
    if os.path.isfile(c) and os.access(c, os.X_OK):
        out["config_script"] = c
        break

for key in sorted(out):
    sys.stdout.write("mp_py_%s=%s\n" % (key, quote(out[key])))
