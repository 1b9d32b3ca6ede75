"""tfprof's 'graph' view (tensorflow/core/profiler/internal/tfprof_graph.cc): each node under the nodes
that consume it, so a node's children are its inputs; the roots are the nodes nothing consumes.

It shows as the scope view does (scope_view.py) with two differences: a node reached again through
another consumer is skipped (the graph is a DAG, the view a tree), and a node left out of the
accounting hands its accounted inputs to its consumer instead of staying as their parent.
"""

from __future__ import annotations

from engine.profiler.graph_nodes import GraphNode
from engine.profiler.options import ROOT
from engine.profiler.scope_view import ScopeNode, ScopeView, reaccount

GRAPH_PARENT = "_TFGraphParent"  # op type of the root, which is no node of the graph


class GraphView(ScopeView):
    def __init__(self, nodes):
        """The view over `nodes` (name -> GraphNode), consumers above their inputs."""
        self.scope_nodes = {name: ScopeNode(nodes[name]) for name in sorted(nodes)}
        consumed = set()
        for view_node in self.scope_nodes.values():
            for slot in sorted(view_node.node.inputs):
                producer = view_node.node.inputs[slot]
                consumed.add(producer)
                if producer in self.scope_nodes:
                    view_node.children.append(self.scope_nodes[producer])
        self.root = ScopeNode(GraphNode(ROOT, GRAPH_PARENT))
        self.root.children = [n for name, n in self.scope_nodes.items() if name not in consumed]
        self._visited = set()

    def _account(self, nodes, opts):
        accounted = []
        for node in nodes:
            if not self._first_visit(node):
                continue
            children = self._account(node.children, opts)
            node.account = reaccount(node, opts)
            if not node.account:
                accounted.extend(children)  # its consumer takes them
                continue
            node.adopt(children)
            accounted.append(node)
        return accounted
