"""The validator's problems with a stored revision, computed once per revision.

A revision never changes after it is saved and the node types are fixed for the app's life, so its
problems are a pure function of its row id: reads of a workflow need not validate it every time.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from quantflow.plugins.host import PluginHost
from quantflow.workflow import validate

from quantflow_server.db.models import WorkflowRevision

DEFAULT_SIZE = 1024


class RevisionProblems:
    def __init__(self, host: PluginHost, size: int = DEFAULT_SIZE) -> None:
        self.host = host
        self.size = size
        self._problems: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()

    def of(self, revision: WorkflowRevision) -> list[dict[str, Any]]:
        problems = self._problems.get(revision.id)
        if problems is None:
            result = validate(revision.document, self.host.registry.node_types)
            problems = self._problems[revision.id] = [p.model_dump(mode="json") for p in result.problems]
            if len(self._problems) > self.size:
                self._problems.popitem(last=False)
        else:
            self._problems.move_to_end(revision.id)
        return problems
