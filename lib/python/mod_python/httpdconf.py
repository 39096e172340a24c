"""Build an Apache httpd configuration from Python objects.

A configuration is a tree of :class:`Directive`, :class:`Comment` and
:class:`Container` objects; ``str()`` renders it as httpd.conf text and
``repr()`` as the Python expression that builds it again::

    from mod_python.httpdconf import *

    config = Container(
        Comment("a small site"),
        Listen("127.0.0.1:8080"),
        ServerRoot("/srv/site"),
        Directory("/srv/site/htdocs",
                  SetHandler("mod_python"),
                  PythonHandler("hello"),
                  PythonOption("title", "Hello world")),
    )
    print(config)

renders::

    # a small site
    Listen 127.0.0.1:8080
    ServerRoot /srv/site
    <Directory /srv/site/htdocs>
      SetHandler mod_python
      PythonHandler hello
      PythonOption title "Hello world"
    </Directory>

Directive classes take mod_python 3.5's form, one value string written
verbatim: ``LoadModule("python_module /path/mod_python.so")`` renders
``LoadModule python_module /path/mod_python.so``.  They also take the
arguments one by one, each put in double quotes when it contains whitespace:
``PythonOption("title", "Hello world")`` renders
``PythonOption title "Hello world"``.  Directives that take exactly one
argument (paths such as ``DocumentRoot``, ``PythonPath``, ``AuthName``)
quote a single value that contains whitespace unless it is already quoted.
Backslashes become ``/`` (Windows paths; ``flipslash=False`` keeps them),
except in free-text directives (``AuthName``, ``LogFormat``,
``PythonOption``).

Any directive can be written with ``Directive(name, value)``, or with a class
made on the fly: ``httpdconf.directive_class("Header")`` returns a class
``Header`` that behaves like the ready-made ones, and
``httpdconf.Header`` (module attribute access) does the same for any
capitalised name.

A container given ``only_if`` renders only when the condition holds: a bool,
a callable without arguments, or a Python expression (str) evaluated at
render time with the name ``mod_python`` bound to the package, e.g.
``only_if="mod_python.version.HTTPD_VERSION[:3] == '2.4'"``.

:func:`write_basic_config` creates the directory layout of a small server
instance and a Python script that prints its httpd.conf; the ``mod_python``
command-line tool (``mod_python create``) is built on it.

Pure module: it does not import ``_apache`` and works without httpd.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "AddDefaultCharset",
    "AddHandler",
    "AddInputFilter",
    "AddOutputFilter",
    "AddType",
    "Alias",
    "AllowOverride",
    "AuthBasicAuthoritative",
    "AuthBasicProvider",
    "AuthGroupFile",
    "AuthName",
    "AuthType",
    "AuthUserFile",
    "Comment",
    "Container",
    "ContainerTag",
    "CustomLog",
    "DefaultRuntimeDir",
    "Directive",
    "Directory",
    "DirectoryIndex",
    "DirectoryMatch",
    "DocumentRoot",
    "ErrorLog",
    "Files",
    "FilesMatch",
    "Group",
    "HostnameLookups",
    "IfDefine",
    "IfModule",
    "Include",
    "IncludeOptional",
    "KeepAlive",
    "KeepAliveTimeout",
    "Listen",
    "LoadModule",
    "Location",
    "LocationMatch",
    "LockFile",
    "LogFormat",
    "LogLevel",
    "MaxClients",
    "MaxConnectionsPerChild",
    "MaxKeepAliveRequests",
    "MaxRequestWorkers",
    "MaxRequestsPerChild",
    "MaxSpareServers",
    "MaxSpareThreads",
    "MaxThreadsPerChild",
    "MinSpareServers",
    "MinSpareThreads",
    "Mutex",
    "NameVirtualHost",
    "Node",
    "NumServers",
    "Options",
    "PidFile",
    "PythonAccessHandler",
    "PythonAuthenHandler",
    "PythonAuthzHandler",
    "PythonAutoReload",
    "PythonCleanupHandler",
    "PythonConnectionHandler",
    "PythonDebug",
    "PythonEnablePdb",
    "PythonFixupHandler",
    "PythonHandler",
    "PythonHandlerModule",
    "PythonHeaderParserHandler",
    "PythonHome",
    "PythonImport",
    "PythonInitHandler",
    "PythonInputFilter",
    "PythonInterpPerDirective",
    "PythonInterpPerDirectory",
    "PythonInterpreter",
    "PythonLogHandler",
    "PythonOptimize",
    "PythonOption",
    "PythonOutputFilter",
    "PythonPath",
    "PythonPostReadRequestHandler",
    "PythonTransHandler",
    "PythonTypeHandler",
    "RemoveHandler",
    "Require",
    "ScriptAlias",
    "ServerAdmin",
    "ServerAlias",
    "ServerLimit",
    "ServerName",
    "ServerPath",
    "ServerRoot",
    "ServerSignature",
    "ServerTokens",
    "SetHandler",
    "SetInputFilter",
    "SetOutputFilter",
    "StartServers",
    "StartThreads",
    "ThreadLimit",
    "ThreadsPerChild",
    "Timeout",
    "TransferLog",
    "TypesConfig",
    "User",
    "VirtualHost",
    "directive_class",
    "quote",
    "quote_if_space",
    "write_basic_config",
]


INDENT = "  "


# ------------------------------------------------------------------ quoting


def quote(value: object) -> str:
    """``value`` in double quotes, with ``"`` escaped as Apache reads it."""
    text = str(value)
    return '"' + text.replace('"', '\\"') + '"'


def quote_if_space(value: object) -> str:
    """``value``, quoted when it is empty or contains whitespace or quotes."""
    text = str(value)
    if not text or any(c.isspace() for c in text) or '"' in text:
        return quote(text)
    return text


def _flip(text: str, flipslash: bool) -> str:
    return text.replace("\\", "/") if flipslash else text


# -------------------------------------------------------------------- nodes


class Node:
    """Something that renders as configuration lines."""

    def lines(self, indent: int = 0) -> list[str]:
        raise NotImplementedError

    def __str__(self) -> str:
        return "\n".join(self.lines())


class Directive(Node):
    """One directive line: ``Name value``.

    ``value`` is written as it is (after flipping backslashes); use
    :func:`quote_if_space` or a ready-made subclass for values that need
    quoting.  An empty value renders the name alone.
    """

    def __init__(
        self, name: str, value: object = "", flipslash: bool = True, *, val: object = None
    ) -> None:
        if val is not None:  # 3.5's keyword name
            value = val
        if not name or any(c.isspace() for c in name):
            raise ValueError(f"invalid directive name {name!r}")
        self.name = name
        self.value = "" if value is None else str(value)
        self.flipslash = flipslash

    def rendered_value(self) -> str:
        return _flip(self.value, self.flipslash)

    def lines(self, indent: int = 0) -> list[str]:
        value = self.rendered_value()
        text = f"{self.name} {value}" if value else self.name
        return [INDENT * indent + text]

    def __repr__(self) -> str:
        flip = "" if self.flipslash else ", flipslash=False"
        return f"Directive({self.name!r}, {self.value!r}{flip})"


class _Args(Directive):
    """A directive named after its class.

    One argument is mod_python 3.5's form, a value string written verbatim
    (``LoadModule("python_module /m/mod_python.so")``); several arguments
    are written in order, each quoted when it contains whitespace.
    Subclasses set ``take1`` for directives that take exactly one argument
    (a single value with whitespace is then quoted unless already quoted),
    ``default_flipslash`` to whether backslashes become ``/`` by default and
    ``default_value`` to the value used when none is given (3.5's
    ``PythonInterpPerDirectory()`` means ``Off``).
    """

    take1 = False
    default_flipslash = True
    default_value: str | None = None

    def __init__(
        self, *args: object, flipslash: bool | None = None, val: object = None
    ) -> None:
        if val is not None:  # 3.5's keyword name: Listen(val="80")
            args = (val, *args)
        if flipslash is None:
            flipslash = type(self).default_flipslash
        if not args and type(self).default_value is not None:
            args = (type(self).default_value,)
        self.args = tuple(args)
        super().__init__(type(self).__name__, "", flipslash)
        self.value = " ".join(str(a) for a in self.args)

    def rendered_value(self) -> str:
        parts = [_flip(str(a), self.flipslash) for a in self.args]
        if len(parts) == 1:
            if type(self).take1 and not _is_quoted(parts[0]):
                return quote_if_space(parts[0])
            return parts[0]
        return " ".join(quote_if_space(p) for p in parts)

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args]
        if self.flipslash != type(self).default_flipslash:
            parts.append(f"flipslash={self.flipslash}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _is_quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'"


class _Take1(_Args):
    """A one-argument directive (a path): quoted when it has whitespace."""

    take1 = True


class _Text(_Args):
    """Free text: backslashes kept."""

    default_flipslash = False


class _Take1Text(_Take1):
    """A one-argument free-text directive (``AuthName``)."""

    default_flipslash = False


class Comment(Node):
    """``# text``; multi-line text gives one comment line per line."""

    def __init__(self, comment: str) -> None:
        self.text = str(comment)

    def lines(self, indent: int = 0) -> list[str]:
        pad = INDENT * indent
        return [f"{pad}# {line}".rstrip() for line in self.text.split("\n")]

    def __repr__(self) -> str:
        return f"Comment({self.text!r})"


Condition = bool | str | Callable[[], Any] | None


class Container(Node):
    """A list of items rendered one after another, no section tags.

    ``only_if`` makes the whole container conditional (see the module
    docstring).  :meth:`append` accepts only :class:`Node` objects.
    """

    def __init__(self, *items: Node, only_if: Condition = None) -> None:
        self.items: list[Node] = []
        self.only_if = only_if
        for item in items:
            self.append(item)

    def append(self, item: Node) -> Container:
        if not isinstance(item, Node):
            raise TypeError(
                f"{type(self).__name__} items must be Directive, Comment or "
                f"Container objects, not {type(item).__name__}: {item!r}"
            )
        self.items.append(item)
        return self

    def extend(self, items: Iterable[Node]) -> Container:
        for item in items:
            self.append(item)
        return self

    def enabled(self) -> bool:
        cond = self.only_if
        if cond is None:
            return True
        if isinstance(cond, bool):
            return cond
        if isinstance(cond, str):
            import mod_python

            try:
                import mod_python.version  # the expression may use it
            except ImportError:
                pass
            # The condition is part of the configuration script itself.
            return bool(eval(cond, {"mod_python": mod_python}))
        return bool(cond())

    def child_lines(self, indent: int) -> list[str]:
        out: list[str] = []
        for item in self.items:
            out.extend(item.lines(indent))
        return out

    def lines(self, indent: int = 0) -> list[str]:
        return self.child_lines(indent) if self.enabled() else []

    def _repr_items(self, head: list[str]) -> str:
        parts = head + [_indent_repr(repr(item)) for item in self.items]
        if self.only_if is not None:
            if callable(self.only_if) and not isinstance(self.only_if, str):
                raise ValueError("a callable only_if has no repr that can be evaluated")
            parts.append(f"only_if={self.only_if!r}")
        if not parts:
            return f"{type(self).__name__}()"
        return (
            f"{type(self).__name__}(\n"
            + ",\n".join(INDENT * 2 + p for p in parts)
            + ",\n)"
        )

    def __repr__(self) -> str:
        return self._repr_items([])


def _indent_repr(text: str) -> str:
    return text.replace("\n", "\n" + INDENT * 2)


class ContainerTag(Container):
    """A section: ``<Tag attr>``, the items indented, ``</Tag>``."""

    def __init__(
        self,
        tag: str,
        attr: object,
        items: Iterable[Node] = (),
        flipslash: bool = True,
        only_if: Condition = None,
    ) -> None:
        super().__init__(*items, only_if=only_if)
        self.tag = tag
        self.flipslash = flipslash
        self.attr = "" if attr is None else _flip(str(attr), flipslash)

    def open_tag(self) -> str:
        return f"<{self.tag} {self.attr}>" if self.attr else f"<{self.tag}>"

    def lines(self, indent: int = 0) -> list[str]:
        if not self.enabled():
            return []
        pad = INDENT * indent
        return [
            pad + self.open_tag(),
            *self.child_lines(indent + 1),
            f"{pad}</{self.tag}>",
        ]

    def __repr__(self) -> str:
        items = "[" + ", ".join(repr(i) for i in self.items) + "]"
        flip = "" if self.flipslash else ", flipslash=False"
        cond = "" if self.only_if is None else f", only_if={self.only_if!r}"
        return f"ContainerTag({self.tag!r}, {self.attr!r}, {items}{flip}{cond})"


class _Section(ContainerTag):
    """``<Name arg> ... </Name>``; the argument is quoted if it has spaces,
    unless it already holds quotes or is a ``~ regex`` (written as given).
    Backslashes become ``/`` except in the ``*Match`` sections, whose
    argument is a regular expression."""

    default_flipslash = True

    def __init__(
        self,
        arg: object,
        *items: Node,
        only_if: Condition = None,
        flipslash: bool | None = None,
    ) -> None:
        if flipslash is None:
            flipslash = type(self).default_flipslash
        self.arg = arg
        self.flipslash = flipslash
        attr = _flip(str(arg), flipslash)
        if not (attr.startswith("~") or '"' in attr or "'" in attr):
            attr = quote_if_space(attr)  # else written as given (3.5)
        super().__init__(type(self).__name__, attr, items, flipslash, only_if)

    def __repr__(self) -> str:
        r = self._repr_items([repr(self.arg)])
        if self.flipslash != type(self).default_flipslash:
            r = r[: -len(",\n)")] + ",\n" + INDENT * 2 + f"flipslash={self.flipslash},\n)"
        return r


class VirtualHost(_Section):
    """``<VirtualHost addr[:port] ...>``."""

    def __init__(self, addr: object, *items: Node, only_if: Condition = None) -> None:
        super().__init__(addr, *items, only_if=only_if)
        self.attr = str(addr)  # several addresses, separated by spaces


class Directory(_Section):
    pass


class DirectoryMatch(_Section):
    default_flipslash = False


class Files(_Section):
    pass


class FilesMatch(_Section):
    default_flipslash = False


class Location(_Section):
    pass


class LocationMatch(_Section):
    default_flipslash = False


class IfModule(_Section):
    pass


class IfDefine(_Section):
    pass


# ------------------------------------------------------- ready-made directives


def directive_class(name: str, base: type[_Args] = _Args) -> type[_Args]:
    """A directive class ``name``, like the ready-made ones: one value
    string written verbatim, or several arguments quoted as needed.  The
    generic way to write a directive this module has no class for::

        Header = directive_class("Header")
        Header('set X-Frame-Options "DENY"')
    """
    if not name or not name.isidentifier():
        raise ValueError(f"invalid directive name {name!r}")
    return type(name, (base,), {"__module__": __name__, "__qualname__": name})


_directive = directive_class


def __getattr__(name: str) -> type[_Args]:
    """``httpdconf.AnyDirective``: a class for a directive not listed here."""
    if name[:1].isupper() and name.isidentifier():
        cls = directive_class(name)
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Directives whose value is written as given (3.5), or whose arguments
# are written in order, each quoted when it contains whitespace.  The MPM
# names NumServers, StartThreads and MaxThreadsPerChild are kept for 3.5
# scripts; httpd 2.4 rejects them.
AddDefaultCharset = _directive("AddDefaultCharset")
AddHandler = _directive("AddHandler")
AddInputFilter = _directive("AddInputFilter")
AddOutputFilter = _directive("AddOutputFilter")
AddType = _directive("AddType")
Alias = _directive("Alias")
AllowOverride = _directive("AllowOverride")
AuthBasicAuthoritative = _directive("AuthBasicAuthoritative")
AuthBasicProvider = _directive("AuthBasicProvider")
AuthType = _directive("AuthType")
CustomLog = _directive("CustomLog")
DirectoryIndex = _directive("DirectoryIndex")
Group = _directive("Group")
HostnameLookups = _directive("HostnameLookups")
KeepAlive = _directive("KeepAlive")
KeepAliveTimeout = _directive("KeepAliveTimeout")
Listen = _directive("Listen")
LoadModule = _directive("LoadModule")
LogLevel = _directive("LogLevel")
MaxClients = _directive("MaxClients")
MaxConnectionsPerChild = _directive("MaxConnectionsPerChild")
MaxKeepAliveRequests = _directive("MaxKeepAliveRequests")
MaxRequestWorkers = _directive("MaxRequestWorkers")
MaxRequestsPerChild = _directive("MaxRequestsPerChild")
MaxSpareServers = _directive("MaxSpareServers")
MaxSpareThreads = _directive("MaxSpareThreads")
MaxThreadsPerChild = _directive("MaxThreadsPerChild")
MinSpareServers = _directive("MinSpareServers")
MinSpareThreads = _directive("MinSpareThreads")
Mutex = _directive("Mutex")
NameVirtualHost = _directive("NameVirtualHost")
NumServers = _directive("NumServers")
Options = _directive("Options")
PythonAccessHandler = _directive("PythonAccessHandler")
PythonAuthenHandler = _directive("PythonAuthenHandler")
PythonAuthzHandler = _directive("PythonAuthzHandler")
PythonAutoReload = _directive("PythonAutoReload")
PythonCleanupHandler = _directive("PythonCleanupHandler")
PythonConnectionHandler = _directive("PythonConnectionHandler")
PythonDebug = _directive("PythonDebug")
PythonEnablePdb = _directive("PythonEnablePdb")
PythonFixupHandler = _directive("PythonFixupHandler")
PythonHandler = _directive("PythonHandler")
PythonHandlerModule = _directive("PythonHandlerModule")
PythonHeaderParserHandler = _directive("PythonHeaderParserHandler")
PythonImport = _directive("PythonImport")
PythonInitHandler = _directive("PythonInitHandler")
PythonInputFilter = _directive("PythonInputFilter")
PythonInterpreter = _directive("PythonInterpreter")
PythonLogHandler = _directive("PythonLogHandler")
PythonOptimize = _directive("PythonOptimize")
PythonOutputFilter = _directive("PythonOutputFilter")
PythonPostReadRequestHandler = _directive("PythonPostReadRequestHandler")
PythonTransHandler = _directive("PythonTransHandler")
PythonTypeHandler = _directive("PythonTypeHandler")
RemoveHandler = _directive("RemoveHandler")
Require = _directive("Require")
ScriptAlias = _directive("ScriptAlias")
ServerAlias = _directive("ServerAlias")
ServerLimit = _directive("ServerLimit")
ServerSignature = _directive("ServerSignature")
ServerTokens = _directive("ServerTokens")
SetHandler = _directive("SetHandler")
SetInputFilter = _directive("SetInputFilter")
SetOutputFilter = _directive("SetOutputFilter")
StartServers = _directive("StartServers")
StartThreads = _directive("StartThreads")
ThreadLimit = _directive("ThreadLimit")
ThreadsPerChild = _directive("ThreadsPerChild")
Timeout = _directive("Timeout")
User = _directive("User")

# One-argument directives: a value with whitespace is quoted.
AuthGroupFile = _directive("AuthGroupFile", _Take1)
AuthUserFile = _directive("AuthUserFile", _Take1)
DefaultRuntimeDir = _directive("DefaultRuntimeDir", _Take1)
DocumentRoot = _directive("DocumentRoot", _Take1)
ErrorLog = _directive("ErrorLog", _Take1)
Include = _directive("Include", _Take1)
IncludeOptional = _directive("IncludeOptional", _Take1)
LockFile = _directive("LockFile", _Take1)
PidFile = _directive("PidFile", _Take1)
PythonHome = _directive("PythonHome", _Take1)
PythonPath = _directive("PythonPath", _Take1)
ServerAdmin = _directive("ServerAdmin", _Take1)
ServerName = _directive("ServerName", _Take1)
ServerPath = _directive("ServerPath", _Take1)
ServerRoot = _directive("ServerRoot", _Take1)
TransferLog = _directive("TransferLog", _Take1)
TypesConfig = _directive("TypesConfig", _Take1)

# Free text: backslashes are kept.
AuthName = _directive("AuthName", _Take1Text)
LogFormat = _directive("LogFormat", _Text)
PythonOption = _directive("PythonOption", _Text)



class _OnOff(_Args):
    """3.5 gave these a default value: ``PythonInterpPerDirectory()`` is
    ``PythonInterpPerDirectory Off``."""

    default_value = "Off"


PythonInterpPerDirective = _directive("PythonInterpPerDirective", _OnOff)
PythonInterpPerDirectory = _directive("PythonInterpPerDirectory", _OnOff)


# ---------------------------------------------------------- a basic instance

#: Modules a basic instance loads (wrapped in <IfModule !...>, since some
#: builds compile them in).  The MPM comes first.
BASIC_MODULES = ("authz_core", "mime", "dir", "log_config", "unixd")

_MIME_FALLBACK = """\
text/html\t\t\t\thtml htm shtml
text/plain\t\t\t\ttxt
text/css\t\t\t\tcss
text/javascript\t\t\t\tjs
application/json\t\t\tjson
image/png\t\t\t\tpng
image/jpeg\t\t\t\tjpeg jpg
image/gif\t\t\t\tgif
image/svg+xml\t\t\t\tsvg
application/octet-stream\t\tbin
"""


def _build_info() -> dict[str, str]:
    try:
        from mod_python import version as v
    except ImportError:
        return {}
    return {k: str(getattr(v, k, "")) for k in ("HTTPD", "LIBEXECDIR", "SYSCONFDIR")}


def default_module_path() -> str:
    """Where ``make install`` put mod_python.so (from mod_python.version)."""
    libexec = _build_info().get("LIBEXECDIR") or "/usr/lib/apache2/modules"
    return os.path.join(libexec, "mod_python.so")


def _default_user() -> tuple[str, str] | None:
    """User/Group for a server started as root: www-data, else nobody."""
    if os.geteuid() != 0:
        return None
    for user, group in (
        ("www-data", "www-data"),
        ("apache", "apache"),
        ("daemon", "daemon"),
        ("nobody", "nogroup"),
    ):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return user, group
    return None


def _copy_mime_types(dest: Path) -> None:
    sysconf = _build_info().get("SYSCONFDIR") or "/etc/apache2"
    for src in (Path(sysconf) / "mime.types", Path("/etc/mime.types")):
        if src.is_file():
            shutil.copyfile(src, dest)
            return
    dest.write_text(_MIME_FALLBACK)


def basic_config(
    server_root: str | os.PathLike[str],
    listen: str = "0.0.0.0:8888",
    conf: str = "conf",
    logs: str = "logs",
    htdocs: str = "public",
    run: str = "run",
    pythonhandler: str = "mod_python.publisher",
    pythonpath: Iterable[str] = (),
    pythonoptions: Iterable[str] = (),
    mp_comments: Iterable[str] = (),
    module_path: str | None = None,
    modules_dir: str | None = None,
    mpm: str = "event",
    package_dir: str | None = None,
    user: tuple[str, str] | None = None,
    error_log: str | None = None,
    access_log: str | None = None,
    server_extra: Iterable[Node] = (),
    section_extra: Iterable[Node] = (),
) -> Container:
    """The configuration tree of a basic server instance (see
    :func:`write_basic_config`).  ``error_log`` and ``access_log`` replace
    the log files under ``logs``; ``server_extra`` nodes go before the
    served directory's section, ``section_extra`` nodes at its end
    (``mod_python serve`` uses them)."""
    root = os.path.abspath(server_root)
    modules_dir = (
        modules_dir or _build_info().get("LIBEXECDIR") or "/usr/lib/apache2/modules"
    )
    module_path = module_path or default_module_path()
    docroot = os.path.join(root, htdocs)

    def load(name: str) -> Node:
        return IfModule(
            f"!{name}_module",
            LoadModule(f"{name}_module", os.path.join(modules_dir, f"mod_{name}.so")),
        )

    items: list[Node] = [
        Comment("Generated by mod_python.httpdconf.write_basic_config()."),
        ServerRoot(root),
        Listen(listen),
        ServerName("127.0.0.1"),
        PidFile(os.path.join(root, run, "httpd.pid")),
        DefaultRuntimeDir(os.path.join(root, run)),
        Mutex(f"file:{os.path.join(root, run)} default"),
        ErrorLog(error_log or os.path.join(root, logs, "error_log")),
        LogLevel("warn"),
        load(f"mpm_{mpm}"),
        *(load(name) for name in BASIC_MODULES),
        LoadModule("python_module", module_path),
    ]
    if user is not None:
        items += [User(user[0]), Group(user[1])]
    items += [
        LogFormat('%h %l %u %t "%r" %>s %b', "common"),
        CustomLog(access_log or os.path.join(root, logs, "access_log"), "common"),
        TypesConfig(os.path.join(root, conf, "mime.types")),
        DocumentRoot(docroot),
        Directory("/", AllowOverride("None"), Require("all denied")),
        *server_extra,
    ]
    if package_dir:
        items.append(PythonOption("mod_python.package_dir", package_dir))
    section: list[Node] = [Comment(c) for c in mp_comments]
    section += [
        AllowOverride("None"),
        Require("all granted"),
        SetHandler("mod_python"),
        PythonHandler(pythonhandler),
    ]
    paths = list(pythonpath)
    if paths:
        section.append(PythonPath("sys.path + " + repr(paths)))
    for opt in pythonoptions:
        key, _, value = opt.strip().partition(" ")
        section.append(PythonOption(key, *([value.strip()] if value.strip() else [])))
    section.extend(section_extra)
    items.append(Directory(docroot, *section))
    return Container(*items)


def write_basic_config(
    server_root: str | os.PathLike[str],
    listen: str = "0.0.0.0:8888",
    conf: str = "conf",
    logs: str = "logs",
    htdocs: str = "public",
    pythonhandler: str = "mod_python.publisher",
    pythonpath: Iterable[str] = (),
    pythonoptions: Iterable[str] = (),
    mp_comments: Iterable[str] = (),
    conf_name: str = "httpd_conf.py",
    createdirs: bool = True,
    replace_config: bool = False,
    **kwargs: Any,
) -> str:
    """Create a server instance layout and its configuration script.

    Creates ``server_root`` with ``conf``, ``logs``, ``run`` and ``htdocs``
    (when ``createdirs``), copies ``mime.types`` into ``conf`` and writes
    ``conf/<conf_name>``, an executable Python script that prints the
    instance's httpd.conf (``mod_python genconfig`` runs it).  The
    configuration loads a basic module set and mod_python, listens on
    ``listen``, logs under ``logs`` and serves ``htdocs`` with
    ``SetHandler mod_python`` and ``PythonHandler pythonhandler`` (any
    handler), plus the given PythonPath entries and ``"key value"``
    PythonOptions.  Other keyword arguments go to :func:`basic_config`
    (``module_path``, ``modules_dir``, ``mpm``, ``package_dir``, ``user``,
    ``run``).

    Refuses to overwrite an existing script unless ``replace_config``
    (FileExistsError).  Returns the script's path.
    """
    root = Path(server_root).resolve()
    script = root / conf / conf_name
    if script.exists() and not replace_config:
        raise FileExistsError(f"{script} exists; not replacing it")
    run = kwargs.get("run", "run")
    if createdirs:
        for sub in (conf, logs, run, htdocs):
            (root / sub).mkdir(parents=True, exist_ok=True)
    if "user" not in kwargs:
        kwargs["user"] = _default_user()
    config = basic_config(
        root,
        listen=listen,
        conf=conf,
        logs=logs,
        htdocs=htdocs,
        pythonhandler=pythonhandler,
        pythonpath=pythonpath,
        pythonoptions=pythonoptions,
        mp_comments=mp_comments,
        **kwargs,
    )
    mime = root / conf / "mime.types"
    if not mime.exists():
        _copy_mime_types(mime)
    script.write_text(config_script(config, package_dir=kwargs.get("package_dir")))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(script)


def config_script(config: Node, package_dir: str | None = None) -> str:
    """Source of a Python script that prints ``config``."""
    path_line = ""
    if package_dir:
        path_line = f"sys.path.insert(0, {str(package_dir)!r})\n"
    return (
        "#!/usr/bin/env python3\n"
        '"""httpd.conf of a mod_python instance: edit this file, then run\n'
        "\n"
        "    mod_python genconfig THIS_FILE > httpd.conf\n"
        '"""\n'
        "import sys\n"
        f"{path_line}"
        "\n"
        "from mod_python.httpdconf import *  # noqa: F403\n"
        "\n"
        f"config = {config!r}\n"
        "\n"
        'if __name__ == "__main__":\n'
        "    print(config)\n"
    )
