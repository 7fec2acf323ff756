"""Modules imported on first use, so a cold start loads only what its first request needs.

Route modules use `lazy` for their service and `models_of` for their pydantic models: a
route names its models without importing them, and a request imports only the models of the
route it calls (the OpenAPI document imports them all when it is asked for).

Each route module imports the same modules under `if TYPE_CHECKING:`, which is what mypy and an
IDE read, so a call into a service is type-checked and navigable; the names bound at run time
(`else:`) are these proxies. tests/unit/test_import_rules.py holds both to the same module:

    if TYPE_CHECKING:
        from chalicelib.models import groups as models
        from chalicelib.services import groups as service
    else:
        models = models_of("chalicelib.models.groups")
        service = lazy("chalicelib.services.groups")
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for a module; the first attribute read imports it (then it is a plain lookup)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


def lazy(name: str) -> LazyModule:
    """A module that is imported when a route first calls into it."""
    return LazyModule(name)


class ModelRef(str):
    """'module:Name' of a model, resolved on first use."""

    def resolve(self) -> Any:
        module, _, name = self.partition(":")
        return getattr(importlib.import_module(module), name)


class ModelsOf:
    """`models_of("chalicelib.models.groups").Group` is a ModelRef, not an import."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> ModelRef:
        return ModelRef(f"{self._name}:{attribute}")


def models_of(name: str) -> ModelsOf:
    """References to the models of a module, imported when a request first needs them."""
    return ModelsOf(name)


def resolved(model: Any) -> Any:
    """The model class a reference stands for (a class is returned as it is)."""
    return model.resolve() if isinstance(model, ModelRef) else model
