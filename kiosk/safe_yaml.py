"""YAML without anchors and aliases, for every YAML document the kiosk and the ops server read.

An alias (``*name``) shares a node, so a few lines can stand for an exponentially large
("billion laughs") or recursive document that only explodes when it is merged or
validated. None of our files need them, so ``load`` refuses anchors (``&name``) and
aliases with ``AliasRefused`` (a ``yaml.YAMLError`` carrying the line), and callers turn
it into their own typed error naming the file.
"""

from __future__ import annotations

from typing import Any

import yaml


class AliasRefused(yaml.composer.ComposerError):
    """The document uses an anchor or an alias."""


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise AliasRefused(
                None, None, "anchors (&name) and aliases (*name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


# libyaml's C loader parses several times faster (the catalogue is read on cold start).
# Without a literal "&" or "*" a document cannot hold an anchor or an alias.
_FAST: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def load(text: str) -> Any:
    """Parse one YAML document; anchors and aliases raise ``AliasRefused``."""
    if _FAST is not None and "&" not in text and "*" not in text:
        return yaml.load(text, Loader=_FAST)
    return yaml.load(text, Loader=_NoAliasLoader)
