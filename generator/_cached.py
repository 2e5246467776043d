"""Render stage helper: `cached`, functools.cached_property without its lock, for the page
objects, whose properties are read a few times each on tens of thousands of pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

_S = TypeVar("_S")
_T = TypeVar("_T")


class cached(Generic[_S, _T]):  # lowercase: a decorator, named like functools' own
    """A property computed on first access and then read from the instance's __dict__.

    Python 3.11's cached_property takes a lock on each first access (removed in 3.12): 6 % of
    a page's render time. Pages are rendered by one thread per process, so none is needed.
    Like cached_property it writes the instance's __dict__, which a frozen dataclass allows.
    """

    def __init__(self, func: Callable[[_S], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> cached[_S, _T]: ...

    @overload
    def __get__(self, instance: _S, owner: type[Any] | None = None) -> _T: ...

    def __get__(self, instance: _S | None, owner: type[Any] | None = None) -> cached[_S, _T] | _T:
        if instance is None:
            return self
        value = vars(instance)[self.name] = self.func(instance)
        return value
