"""The root click group of `otc`: global options anywhere, and help without type noise.

`otc cash post --config x` reads as naturally as `otc --config x cash post`, so the global
options are moved in front of the subcommand before click parses them. Help shows `FILE`,
not `{file}`, and a flag shows no `<bool>` type: both are fixed once here for every command,
including those other modules add later.
"""

from __future__ import annotations

import functools
from typing import Any

from typer._click.core import Command, Context
from typer.core import TyperArgument, TyperGroup, TyperOption

#: Options of the root callback, with whether they take a value.
GLOBAL_OPTIONS = {"--config": True, "--log-format": True, "--log-level": True}


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options (and their values) found after a subcommand to the front."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if "=" in arg or not GLOBAL_OPTIONS[name]:
                front.append(arg)
            else:
                front += args[i : i + 2]
                i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _no_type(option: Any) -> Any:
    if isinstance(option, TyperOption) and option.is_flag and option.metavar is None:
        option.metavar = ""  # typer shows `<bool>` for a flag otherwise
    return option


def _tidy(command: Command) -> None:
    """Once per command: FILE for an argument (typer writes `{file}`), no `<bool>` on flags."""
    if getattr(command, "_otc_tidy", False):
        return
    command._otc_tidy = True  # type: ignore[attr-defined]
    for param in command.params:
        if isinstance(param, TyperArgument) and param.metavar is None and param.name:
            shown = param.name.upper() + ("..." if param.nargs != 1 else "")
            param.metavar = param.name.upper()
            setattr(param, "_usage_display_name", functools.partial(str, shown))  # noqa: B010
        _no_type(param)
    help_option = command.get_help_option

    def tidy_help_option(ctx: Context) -> Any:
        return _no_type(help_option(ctx))

    command.get_help_option = tidy_help_option  # type: ignore[method-assign]
    for sub in getattr(command, "commands", {}).values():
        _tidy(sub)


class OtcGroup(TyperGroup):
    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        _tidy(self)
        return super().make_context(info_name, hoist_global_options(list(args)), parent, **extra)
