"""Import function_app.py and index its functions the way the Python worker does."""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.functions.decorators.core import Binding, BindingDirection, Trigger

logger = logging.getLogger(__name__)

RETURN_BINDING = "$return"
CONTEXT_PARAMETER = "context"


class FunctionLoadError(Exception):
    """function_app.py could not be imported or indexed."""


@dataclass(frozen=True)
class FunctionDef:
    """One indexed function: its name, trigger, bindings and the user callable."""

    name: str
    trigger: Trigger
    bindings: tuple[Binding, ...]
    user_function: Callable[..., Any]
    directory: str

    @property
    def trigger_type(self) -> str:
        """The function.json type of the trigger, e.g. 'httpTrigger'."""
        return str(self.trigger.type)

    @property
    def is_async(self) -> bool:
        """Whether the user function is a coroutine function."""
        return inspect.iscoroutinefunction(self.user_function)

    @property
    def outputs(self) -> list[Binding]:
        """Output bindings passed to the function as func.Out parameters."""
        return [b for b in self.bindings if _is_output(b) and b.name != RETURN_BINDING]

    @property
    def return_binding(self) -> Binding | None:
        """The `$return` output binding, if any."""
        return next((b for b in self.bindings if b.name == RETURN_BINDING), None)

    @property
    def inputs(self) -> list[Binding]:
        """Non-trigger input bindings (not supported by devhost: passed as None)."""
        return [b for b in self.bindings if not _is_output(b) and b is not self.trigger]

    @property
    def wants_context(self) -> bool:
        """Whether a `context` parameter exists that no binding claims, as the worker checks."""
        params = inspect.signature(self.user_function).parameters
        claimed = {b.name for b in self.bindings}
        return CONTEXT_PARAMETER in params and CONTEXT_PARAMETER not in claimed


def _is_output(binding: Binding) -> bool:
    return binding._direction in (BindingDirection.OUT, BindingDirection.INOUT)


def import_app_module(app_dir: Path, script_name: str = "function_app.py") -> Any:
    """Import app_dir/script_name as module `function_app`, with app_dir on sys.path."""
    path = app_dir / script_name
    if not path.is_file():
        raise FunctionLoadError(f"{path} not found")
    root = str(app_dir.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    module_name = Path(script_name).stem
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise FunctionLoadError(f"Cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def find_app(module: Any, script_name: str = "function_app.py") -> func.FunctionRegister:
    """The single top-level FunctionRegister in the module (the worker's rule)."""
    apps = [v for v in vars(module).values() if isinstance(v, func.FunctionRegister)]
    if len(apps) > 1:
        raise FunctionLoadError(
            f"More than one {type(apps[0]).__name__} or other top level function app "
            f"instances are defined in {script_name}."
        )
    if not apps:
        raise FunctionLoadError(
            f"Could not find top level function app instances in {script_name}."
        )
    return apps[0]


def index_functions(functions: Sequence[func.Function], directory: str) -> list[FunctionDef]:
    """FunctionDefs for the result of one `app.get_functions()` call."""
    defs = []
    for function in functions:
        trigger = function.get_trigger()
        name = function.get_function_name()
        if trigger is None or name is None:
            raise FunctionLoadError(f"Function {function} has no trigger or name")
        defs.append(
            FunctionDef(
                name=name,
                trigger=trigger,
                bindings=tuple(function.get_bindings()),
                user_function=function.get_user_function(),
                directory=directory,
            )
        )
    return defs


def load_functions(app_dir: Path) -> list[FunctionDef]:
    """Import the app and index it, calling `get_functions()` once (a second call raises)."""
    script = os.environ.get("PYTHON_SCRIPT_FILE_NAME") or "function_app.py"
    module = import_app_module(app_dir, script)
    app = find_app(module, script)
    try:
        functions = app.get_functions()
    except ValueError as err:
        raise FunctionLoadError(f"Indexing {script} failed: {err}") from err
    return index_functions(functions, str(app_dir.resolve()))
