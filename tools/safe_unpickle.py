"""Reads pickles and torch checkpoints without running code from them: the converter's restricted unpickler.

NVIDIA pickles carry the Python source of their classes ('module_src') and are normally loaded by running it;
here a restricted unpickler rebuilds only tensors, containers and numbers (the allow-list is
``ALLOWED_GLOBALS``) and every other global the file names (os.system, builtins.eval, subprocess.Popen, any
import) stops the load with RefusedPickle naming it. Tensor storages, which NVIDIA pickles hold as nested
torch.save byte strings, are decoded here too (never by torch.load); torch's zip and legacy formats are read
the same way. The embedded sources are never executed; they are only parsed (ast) to refuse files whose
source imports or calls things no network definition needs (os, subprocess, eval, ...), a sign of tampering.

``load_file(path)`` is the entry point; tools/convert.py maps what it returns onto tools/stylegan2.py.
Only the standard library, numpy and torch are imported, and no module a file names is ever imported.
"""
import _compat_pickle
import ast
import collections
import io
import os
import pickle
import zipfile
from typing import Dict, Optional, Tuple

import numpy as np
import torch


class RefusedPickle(pickle.UnpicklingError):
    """The file references something outside the allow-list, or is otherwise not a plain network file."""


class UnreadableFile(RefusedPickle):
    """The file is missing, a folder, empty, truncated, damaged, or no pickle or torch file at all."""


class ConversionError(ValueError):
    """The network is readable but not something tools/stylegan2.py can compute (raised by tools/convert.py, and
    here by PersistentObject.module for a submodule the network lacks)."""


# ---------------------------------------------------------------------------------------- restricted unpickling

_TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6c
_TORCH_LEGACY_PROTOCOL = 1001

_STORAGE_DTYPES = {
    "FloatStorage": torch.float32, "DoubleStorage": torch.float64, "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16, "LongStorage": torch.int64, "IntStorage": torch.int32,
    "ShortStorage": torch.int16, "CharStorage": torch.int8, "ByteStorage": torch.uint8, "BoolStorage": torch.bool,
}
_TORCH_DTYPES = {"float32": torch.float32, "float": torch.float32, "float64": torch.float64,
                 "double": torch.float64, "float16": torch.float16, "half": torch.float16,
                 "bfloat16": torch.bfloat16, "int64": torch.int64, "long": torch.int64, "int32": torch.int32,
                 "int": torch.int32, "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8,
                 "bool": torch.bool}


class StorageType:
    """Stands for torch.FloatStorage etc. inside a file (only its dtype is used)."""

    def __init__(self, name: str):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]

    def __repr__(self):
        return f"torch.{self.name}"


class Storage:
    """A flat tensor standing for a torch storage; tensors are views of it (filled in later by legacy files)."""

    def __init__(self, dtype: torch.dtype, numel: int):
        self.dtype = dtype
        self.flat = torch.zeros(int(numel), dtype=dtype)

    def fill(self, raw: bytes):
        if len(raw) != self.flat.numel() * self.flat.element_size():
            raise RefusedPickle("tensor storage has the wrong number of bytes")
        if raw:
            self.flat.copy_(torch.frombuffer(bytearray(raw), dtype=self.dtype))


class EasyDict(dict):
    """Stand-in for dnnlib.EasyDict (a dict with attribute access); no code of dnnlib is involved."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)

    def __setstate__(self, state):  # plain data only
        if state:
            self.update(state)


class Namespace:
    """Stand-in for argparse.Namespace (rosinality checkpoints hold the training arguments)."""

    def __setstate__(self, state):
        if not isinstance(state, dict):
            raise RefusedPickle("argparse.Namespace with an unexpected state")
        self.__dict__.update({str(k): v for k, v in state.items()})

    def to_dict(self):
        return dict(self.__dict__)


class PersistentObject:
    """What NVIDIA's torch_utils.persistence pickles for a network module: its class name, the source of its
    module (kept as text, never executed) and its state (the module's __dict__: _parameters, _buffers,
    _modules, init kwargs and plain attributes)."""

    def __init__(self, meta: dict):
        if not isinstance(meta, dict) or meta.get("type") != "class":
            raise RefusedPickle("torch_utils.persistence object without the expected metadata")
        if not isinstance(meta.get("class_name"), str) or not isinstance(meta.get("module_src", ""), str):
            raise RefusedPickle("torch_utils.persistence object with malformed class_name/module_src")
        if not isinstance(meta.get("state"), dict):
            raise RefusedPickle("torch_utils.persistence object without a state dict")
        self.class_name: str = meta["class_name"]
        self.module_src: str = meta.get("module_src", "")
        self.version = meta.get("version")
        self.state: dict = meta["state"]

    def __repr__(self):
        return f"<persistent {self.class_name}>"

    def attr(self, name, default=None):
        return self.state.get(name, default)

    @property
    def modules(self) -> Dict[str, "PersistentObject"]:
        return dict(self.state.get("_modules") or {})

    @property
    def init_kwargs(self) -> dict:
        return dict(self.state.get("_init_kwargs") or {})

    def tensors(self, prefix: str = "") -> "collections.OrderedDict[str, torch.Tensor]":
        """Parameters and buffers of this module and its submodules, by dotted name (like state_dict)."""
        out = collections.OrderedDict()
        for group in ("_parameters", "_buffers"):
            for k, v in (self.state.get(group) or {}).items():
                if isinstance(v, torch.Tensor):
                    out[prefix + k] = v
        for k, m in self.modules.items():
            if isinstance(m, PersistentObject):
                out.update(m.tensors(prefix + k + "."))
            elif m is not None:
                raise RefusedPickle(f"submodule {prefix + k} is not a persistent network object")
        return out

    def module(self, path: str) -> "PersistentObject":
        m = self
        for part in path.split(".") if path else []:
            sub = m.modules.get(part)
            if not isinstance(sub, PersistentObject):
                raise ConversionError(f"the network has no module {path!r}")
            m = sub
        return m


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    if not isinstance(storage, Storage):
        raise RefusedPickle("tensor rebuilt from something that is not a storage")
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride) or any(s < 0 for s in size):
        raise RefusedPickle("malformed tensor shape")
    numel = int(np.prod(size)) if size else 1
    if numel > 0:
        last = int(storage_offset) + sum((s - 1) * st for s, st in zip(size, stride))
        if storage_offset < 0 or last >= storage.flat.numel() or any(st < 0 for st in stride):
            raise RefusedPickle("tensor extends past its storage")
    return torch.as_strided(storage.flat, size, stride, int(storage_offset))


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    if not isinstance(data, torch.Tensor):
        raise RefusedPickle("parameter rebuilt from something that is not a tensor")
    return data


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data)


def _np_scalar(dtype, data=None):
    if not isinstance(dtype, np.dtype) or dtype.hasobject or not isinstance(data, (bytes, bytearray)):
        raise RefusedPickle("numpy scalar of an object dtype or without raw bytes")
    return np.frombuffer(bytes(data), dtype=dtype, count=1)[0]


def _np_reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise RefusedPickle("numpy array of a subclass")
    return np.ndarray.__new__(np.ndarray, shape, dtype)


def _np_dtype(*args):
    if not args or not isinstance(args[0], str):
        raise RefusedPickle("numpy dtype with unexpected arguments")
    return np.dtype(*args)


def _codecs_encode(text, encoding="utf-8"):
    # protocol-2 pickles spell bytes as _codecs.encode(str, 'latin1')
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise RefusedPickle("_codecs.encode with unexpected arguments")
    return text.encode("latin1")


def _torch_size(*args):
    return torch.Size(*args)


# (module, name) -> what the unpickler gets instead. Nothing here imports a module named by the file or runs
# code the file supplies; the torch_utils.persistence entry is filled per load (see RestrictedUnpickler).
ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
    ("__builtin__", "set"): set, ("__builtin__", "frozenset"): frozenset,
    ("_codecs", "encode"): _codecs_encode,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
    ("torch", "Size"): _torch_size,
    ("numpy.core.multiarray", "scalar"): _np_scalar, ("numpy._core.multiarray", "scalar"): _np_scalar,
    ("numpy.core.multiarray", "_reconstruct"): _np_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _np_reconstruct,
    ("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): _np_dtype,
    ("dnnlib.util", "EasyDict"): EasyDict, ("dnnlib", "EasyDict"): EasyDict,
    ("argparse", "Namespace"): Namespace,
    # filled per unpickler: ("torch.storage", "_load_from_bytes"), ("torch_utils.persistence",
    # "_reconstruct_persistent_obj")
}


class RestrictedUnpickler(pickle.Unpickler):
    """pickle.Unpickler whose find_class returns only allow-listed stand-ins and refuses everything else."""

    def __init__(self, f, persistent=None, context=None):
        super().__init__(f)
        self._persistent = persistent
        self.context = context if context is not None else LoadContext()

    def find_class(self, module, name):
        key = (module, name)
        if key in ALLOWED_GLOBALS:
            return ALLOWED_GLOBALS[key]
        if key == ("torch.storage", "_load_from_bytes"):
            return self.context.load_from_bytes
        if key == ("torch_utils.persistence", "_reconstruct_persistent_obj"):
            return self.context.reconstruct_persistent_obj
        if module == "torch" and name in _STORAGE_DTYPES:
            return StorageType(name)
        if module == "torch" and name in _TORCH_DTYPES:
            return _TORCH_DTYPES[name]
        py3 = _compat_pickle.NAME_MAPPING.get(key) or (_compat_pickle.IMPORT_MAPPING.get(module), name)
        alias = f" (Python 3: {py3[0]}.{py3[1]})" if py3[0] and py3 != key else ""
        raise RefusedPickle(f"refused: the file references the global '{module}.{name}'{alias}, which is not on the "
                            f"allow-list of tools/safe_unpickle.py (tensors, containers and numbers only); nothing "
                            f"in the file was executed")

    def persistent_load(self, pid):
        if self._persistent is None:
            raise RefusedPickle("refused: persistent id in a plain pickle")
        return self._persistent(pid)


class LoadContext:
    """Per-file state: the embedded module sources seen (for the tampering check)."""

    def __init__(self):
        self.module_sources: Dict[str, set] = {}

    def reconstruct_persistent_obj(self, meta):
        obj = PersistentObject(meta)
        self.module_sources.setdefault(obj.module_src, set()).add(obj.class_name)
        return obj

    def load_from_bytes(self, data):
        if not isinstance(data, (bytes, bytearray)):
            raise RefusedPickle("torch.storage._load_from_bytes without bytes")
        return _load_legacy(io.BytesIO(bytes(data)), self)


def _restricted_load(f, context, persistent=None):
    return RestrictedUnpickler(f, persistent, context).load()


def _storage_from_pid(pid) -> Tuple[StorageType, str, int]:
    if not isinstance(pid, tuple) or not pid:
        raise RefusedPickle("malformed persistent id")
    typename = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
    if typename != "storage" or len(pid) < 5:
        raise RefusedPickle(f"refused: persistent id of kind {typename!r}")
    storage_type, key, _location, numel = pid[1:5]
    if not isinstance(storage_type, StorageType):
        raise RefusedPickle("persistent storage id without a storage type")
    if len(pid) > 5 and pid[5] is not None:
        raise RefusedPickle("storage views of the pre-1.0 torch format are not supported")
    return storage_type, str(key), int(numel)


def _load_legacy(f, context, first=None):
    """torch.save's legacy format: magic, protocol, sys info, the object, the storage keys, raw storages."""
    magic = _restricted_load(f, context) if first is None else first
    if magic != _TORCH_LEGACY_MAGIC:
        raise RefusedPickle("not a torch file (bad magic number)")
    if _restricted_load(f, context) != _TORCH_LEGACY_PROTOCOL:
        raise RefusedPickle("unsupported torch legacy protocol version")
    sys_info = _restricted_load(f, context)
    if not isinstance(sys_info, dict) or not sys_info.get("little_endian", True):
        raise RefusedPickle("big-endian torch files are not supported")
    storages: Dict[str, Storage] = {}

    def persistent(pid):
        storage_type, key, numel = _storage_from_pid(pid)
        if key not in storages:
            storages[key] = Storage(storage_type.dtype, numel)
        return storages[key]

    result = _restricted_load(f, context, persistent)
    keys = _restricted_load(f, context)
    if not isinstance(keys, list):
        raise RefusedPickle("malformed torch legacy file (storage keys)")
    for key in keys:
        st = storages.get(str(key))
        if st is None:
            raise RefusedPickle("malformed torch legacy file (unknown storage key)")
        header = f.read(8)
        if len(header) != 8:
            raise RefusedPickle("truncated torch legacy file")
        numel = int.from_bytes(header, "little", signed=True)
        if numel != st.flat.numel():
            raise RefusedPickle("malformed torch legacy file (storage size)")
        st.fill(f.read(numel * st.flat.element_size()))
    return result


def _load_zip(path, context):
    """torch.save's zip format: PREFIX/data.pkl with persistent storage ids, PREFIX/data/KEY raw storages."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        pkls = [n for n in names if n == "data.pkl" or n.endswith("/data.pkl")]
        if len(pkls) != 1:
            raise RefusedPickle("not a torch zip file (no unique data.pkl)")
        prefix = pkls[0][:-len("data.pkl")]
        if prefix + "byteorder" in names and zf.read(prefix + "byteorder").strip() != b"little":
            raise RefusedPickle("big-endian torch files are not supported")
        storages: Dict[str, Storage] = {}

        def persistent(pid):
            storage_type, key, numel = _storage_from_pid(pid)
            if key not in storages:
                st = Storage(storage_type.dtype, numel)
                st.fill(zf.read(prefix + "data/" + key))
                storages[key] = st
            return storages[key]

        with zf.open(pkls[0]) as f:
            return _restricted_load(io.BytesIO(f.read()), context, persistent)


# Names an embedded network source never needs; finding one means the file was tampered with.
_SUSPICIOUS_MODULES = {"os", "subprocess", "sys", "socket", "shutil", "ctypes", "importlib", "builtins", "pty",
                       "runpy", "code", "codeop", "marshal", "pickle", "multiprocessing", "urllib", "http",
                       "requests", "webbrowser", "signal", "posix", "nt"}
_SUSPICIOUS_FUNCTIONS = {"eval", "exec", "compile", "__import__", "breakpoint"}  # called by name
_SUSPICIOUS_METHODS = {"system", "popen", "Popen", "spawnl", "spawnlp", "spawnv", "spawnvp", "execv", "execve",
                       "execvp", "execl", "execlp", "check_call", "check_output", "getoutput", "import_module",
                       "__import__"}  # called as an attribute (os.system, subprocess.Popen, ...)


def check_module_source(src: str) -> Optional[str]:
    """What is suspicious in an embedded module source (parsed, never executed), or None."""
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError):
        return None  # not parseable by this Python: nothing to report (it is never executed anyway)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in _SUSPICIOUS_MODULES:
                    return f"'import {a.name}'"
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in _SUSPICIOUS_MODULES:
                return f"'from {node.module} import ...'"
        elif isinstance(node, ast.Call):
            fn = node.func
            if isinstance(fn, ast.Name) and fn.id in _SUSPICIOUS_FUNCTIONS:
                return f"a call of {fn.id}"
            if isinstance(fn, ast.Attribute) and fn.attr in _SUSPICIOUS_METHODS:
                try:
                    return f"a call of {ast.unparse(fn)}"
                except AttributeError:  # Python < 3.9
                    return f"a call of .{fn.attr}"
    return None


def _read(path: str, context: "LoadContext"):
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK\x03\x04"):
        return _load_zip(path, context)
    with open(path, "rb") as f:
        first = _restricted_load(f, context)
        if isinstance(first, int) and not isinstance(first, bool) and first == _TORCH_LEGACY_MAGIC:
            return _load_legacy(f, context, first)
        return first


def _looks_like_text(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(512)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def _unreadable(path: str, e: Exception) -> UnreadableFile:
    """The one-sentence error for a file that could not be read as a network file at all."""
    name = os.path.basename(path) or path
    reason = " ".join(str(e).split())[:120].rstrip(".") or type(e).__name__
    if isinstance(e, zipfile.BadZipFile):
        reason = f"its zip archive is incomplete or broken: {reason}"
    truncated = isinstance(e, EOFError) or any(w in reason for w in ("truncated", "wrong number of bytes",
                                                                      "Ran out of input"))
    if isinstance(e, zipfile.BadZipFile) or truncated:
        return UnreadableFile(f"{name} ends early or is damaged ({reason}): copy or download it again")
    what = "text, not a network file" if _looks_like_text(path) else "not a network file this converter reads"
    return UnreadableFile(f"{name} is {what} ({reason}): give the .pkl of NVIDIA's stylegan2-ada-pytorch or "
                          f"StyleGAN3 code, or the .pt checkpoint of rosinality's stylegan2-pytorch")


def load_file(path: str, check_sources: bool = True):
    """Reads a network pickle or a torch checkpoint with the restricted unpickler. Returns (object, context).
    check_sources: refuse files whose embedded module sources look tampered with (see check_module_source).
    Raises RefusedPickle for anything the allow-list refuses (the message starts with "refused"), and its
    subclass UnreadableFile, with one sentence saying what is wrong and what to do, for a missing file, a folder,
    an empty, truncated or damaged file, or one that is no pickle or torch file at all."""
    name = os.path.basename(path) or path
    if os.path.isdir(path):
        raise UnreadableFile(f"{path} is a folder: give the network file itself (a .pkl or .pt file)")
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file: check the path of the network file") from None
    except OSError as e:
        raise UnreadableFile(f"{path} cannot be read ({e.strerror or e}): check that it exists and is readable") \
            from None
    if size == 0:
        raise UnreadableFile(f"{name} is empty (0 bytes): copy or download the network file again")
    context = LoadContext()
    try:
        obj = _read(path, context)
    except UnreadableFile:
        raise
    except RefusedPickle as e:
        if str(e).startswith("refused"):  # the allow-list at work: said as it is
            raise
        raise _unreadable(path, e) from e
    except OSError as e:
        raise UnreadableFile(f"{path} cannot be read ({e.strerror or e}): check that it is readable") from e
    except Exception as e:  # noqa: BLE001 - whatever a malformed file makes the reader raise (nothing runs)
        raise _unreadable(path, e) from e
    for src, classes in context.module_sources.items():
        problem = check_module_source(src) if check_sources else None
        if problem:
            raise RefusedPickle(f"refused: the embedded source of class {'/'.join(sorted(classes))} contains "
                                f"{problem}, which no network definition needs (the source was not executed; "
                                f"--no-source-check converts such a file anyway)")
    return obj, context
