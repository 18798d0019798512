"""Forbidden library calls: the rules an assignment declares, and a static scan of submitted source for them.

Judge side: the source is parsed with `ast`, never executed. The scan follows
what a plain reading of the file can follow: attribute chains (`torch.nn.functional.conv2d`),
import aliases (`import torch.nn.functional as F; F.conv2d`), from-imports
(`from torch.nn import GRUCell`), star imports, simple assignments (`fn = F`,
`self.F = F`), `getattr(obj, "name")` / `obj.__dict__["name"]` / `vars(obj)["name"]`
with a constant (or constant-concatenated) name, and `importlib.import_module("...")`.
Names computed at run time, and getattr on objects it cannot follow, escape it:
`autograder.worker.optrace` records what actually runs, and applies the same rules (`match`).

A rule is a dotted name or an fnmatch pattern over dotted names (`*` also crosses
dots, case matters). A name is forbidden when it, or one of its dotted prefixes,
matches a rule: the rule `torch._VF` forbids `torch._VF.gru_cell` too.
Rules starting with `aten.` name ATen operators: the run-time recorder sees them
as `aten.convolution.default`, and in source they are reached as
`torch.ops.aten.convolution`, which the scan also reads as `aten.convolution`.

In assignment.toml, rules come in groups, each with the reason shown to the student:

    [[forbidden]]
    topic = "convolution"
    why = "convolution must be written by hand"
    names = ["torch.nn.*Conv*", "torch.*conv[0-9_]*", "aten.*convolution*"]
    runtime = true        # optional (default true); false: check the source only

`runtime = false` is for names that legitimate code also passes through at run time.
"""

import ast
import fnmatch
from dataclasses import dataclass

GENERIC_WHY = "not allowed in this assignment"


@dataclass(frozen=True)
class Rule:
    """One forbidden name or pattern, the group it belongs to, and why it is forbidden."""

    pattern: str
    topic: str = "forbidden"
    why: str = GENERIC_WHY
    runtime: bool = True


@dataclass(frozen=True)
class Finding:
    """One use of a forbidden name in a submitted file."""

    filename: str
    line: int
    text: str  # the expression as written, e.g. "F.conv2d"
    name: str  # the dotted name it resolves to, e.g. "torch.nn.functional.conv2d"
    rule: Rule

    def __str__(self):
        return f"{self.filename}:{self.line} uses {self.text} (forbidden: {self.rule.why})"


def as_rules(forbidden):
    """
    Rules from what an assignment declares.

    Inputs:
    - forbidden: a list whose items are dotted names/patterns (str, with a generic reason), Rule objects,
      or groups {"topic": ..., "why": ..., "names": [...], "runtime": bool} as read from assignment.toml.

    Returns:
    - rules: list of Rule, in the order given.
    """
    rules = []
    for item in forbidden:
        if isinstance(item, Rule):
            rules.append(item)
        elif isinstance(item, str):
            rules.append(Rule(item))
        elif isinstance(item, dict) and isinstance(item.get("names"), list):
            topic, why = str(item.get("topic", "forbidden")), str(item.get("why", GENERIC_WHY))
            runtime = bool(item.get("runtime", True))
            rules += [Rule(str(name), topic, why, runtime) for name in item["names"]]
        else:
            raise ValueError(f"a [[forbidden]] entry must be a dotted name or a table with a list of `names`, "
                             f"not {item!r}")
    return rules


def match(name, rules):
    """The first rule, in the order given, that `name` (dotted) or one of its dotted prefixes matches; else None."""
    hit = _first_match(name, rules)
    return hit[0] if hit else None


def _first_match(name, rules):
    """(rule, the shortest prefix of `name` it matches) for the first rule that matches, else None."""
    parts = name.split(".")
    prefixes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for rule in rules:
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, rule.pattern):
                return rule, prefix
    return None


def forbidden_ops(recorded, banned):
    """
    The recorded names that a rule forbids.

    Inputs:
    - recorded: names from autograder.worker.optrace.record_ops (any iterable of str).
    - banned: rules in any form `as_rules` takes (dotted names / fnmatch patterns,
      or [[forbidden]] groups); groups marked runtime = false are not applied.

    Returns:
    - names: sorted list of the distinct forbidden names among `recorded`.
    """
    rules = [rule for rule in as_rules(banned) if rule.runtime]
    return sorted({name for name in recorded if match(name, rules)})


def scan(source, filename, forbidden):
    """
    Static check of one source file for forbidden names.

    Inputs:
    - source: the file's text (never executed).
    - filename: the name to show in findings, e.g. "layers.py".
    - forbidden: rules, in any form `as_rules` takes.

    Returns:
    - findings: list of Finding, by line; one per expression (the whole chain `torch._VF.gru_cell`, not also
      its part `torch._VF`), and one per line and forbidden name.

    Raises SyntaxError when the source does not parse.
    """
    rules = as_rules(forbidden)
    tree = ast.parse(source, filename=filename)
    resolver = _Resolver(tree)
    found = {}
    for node in ast.walk(tree):
        for written, text in resolver.names_used(node):
            name = _aten_name(written)
            hit = _first_match(name, rules)
            if hit is None and name != written:
                name, hit = written, _first_match(written, rules)
            if hit and (node.lineno, hit[1]) not in found:
                text = _segment(source, text) if isinstance(text, ast.AST) else text
                found[node.lineno, hit[1]] = Finding(filename, node.lineno, text, name, hit[0])
    return sorted(found.values(), key=lambda f: (f.line, f.text))


def _segment(source, node):
    text = " ".join((ast.get_source_segment(source, node) or "").split())
    return text if len(text) <= 60 else text[:57] + "..."


def _aten_name(name):
    """torch.ops.aten.X (how source reaches an ATen operator) -> aten.X (how the recorder names it)."""
    return name[len("torch.ops."):] if name.startswith("torch.ops.aten.") else name


def _constant_str(node):
    """The value of a string constant, or of a concatenation of string constants; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_str(node.left), _constant_str(node.right)
        if left is not None and right is not None:
            return left + right
    if isinstance(node, ast.JoinedStr):
        parts = [_constant_str(v) for v in node.values]
        if all(p is not None for p in parts):
            return "".join(parts)
    return None


def _chain_text(node):
    """'self.F' for Name/Attribute chains, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _chain_text(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


class _Resolver:
    """Maps expressions of one module to the dotted library names they stand for, where a plain reading can tell."""

    def __init__(self, tree):
        self.bindings = {}  # local name or chain ('F', 'self.F') -> dotted name ('torch.nn.functional')
        self.star_modules = []
        self.local_names = set()
        self.inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, (ast.Attribute, ast.Subscript))}
        assignments = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.bindings[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.bindings[top] = top
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    if alias.name == "*":
                        self.star_modules.append(node.module)
                    else:
                        self.bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.local_names.add(node.name)
            elif isinstance(node, ast.arg):
                self.local_names.add(node.arg)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    text = _chain_text(target)
                    if text is not None:
                        assignments.append((text, node.value))
                        if isinstance(target, ast.Name):
                            self.local_names.add(target.id)
        for _ in range(4):  # aliases of aliases: a few rounds reach a fixed point in any real file
            changed = False
            for text, value in assignments:
                resolved = self.resolve(value)
                if resolved is not None and self.bindings.get(text) != resolved:
                    self.bindings[text] = resolved
                    changed = True
            if not changed:
                break

    def resolve(self, node):
        """The dotted name `node` stands for, or None."""
        text = _chain_text(node)
        if text is not None and text in self.bindings:
            return self.bindings[text]
        if isinstance(node, ast.Name):
            return None
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is None:
                return None
            return base if node.attr == "__dict__" else f"{base}.{node.attr}"
        if isinstance(node, ast.Subscript):  # X.__dict__["name"], vars(X)["name"]
            base, key = self.resolve(node.value), _constant_str(node.slice)
            return f"{base}.{key}" if base is not None and key is not None else None
        if isinstance(node, ast.Call):
            return self._resolve_call(node)
        return None

    def _resolve_call(self, node):
        func, args = node.func, node.args
        first = _constant_str(args[0]) if args else None
        if isinstance(func, ast.Name) and func.id not in self.bindings and func.id not in self.local_names:
            if func.id == "getattr" and len(args) >= 2:
                base, attr = self.resolve(args[0]), _constant_str(args[1])
                return f"{base}.{attr}" if base is not None and attr is not None else None
            if func.id == "vars" and len(args) == 1:
                return self.resolve(args[0])
            if func.id == "__import__" and first is not None:
                return first
        if isinstance(func, ast.Attribute) and func.attr == "get" and first is not None:  # X.__dict__.get("name")
            owner = func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "__dict__" or (
                    isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "vars"):
                base = self.resolve(owner)
                return f"{base}.{first}" if base is not None else None
        if first is not None and self.resolve(func) == "importlib.import_module":
            return first
        return None

    def names_used(self, node):
        """(dotted name, the text or node to show) for each name this node refers to.

        Assignment targets are skipped: the assigned value is reported where it is written, and each later
        use of the target is reported where it is used.
        """
        if isinstance(node, ast.Import):
            return [(alias.name, f"import {alias.name}") for alias in node.names]
        if isinstance(node, ast.ImportFrom):
            if node.level or not node.module:
                return []
            return [(f"{node.module}.{alias.name}", f"from {node.module} import {alias.name}")
                    for alias in node.names if alias.name != "*"]
        if not isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            return []
        if isinstance(node, ast.Name) and node.id not in self.bindings:
            if node.id in self.local_names:
                return []
            return [(f"{module}.{node.id}", node) for module in self.star_modules]
        if not isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)) or id(node) in self.inner:
            return []
        while True:  # the whole chain, else its longest part that resolves (torch._VF.__dict__[k] -> torch._VF)
            resolved = self.resolve(node)
            if resolved is not None:
                return [(resolved, node)]
            if not isinstance(node, (ast.Attribute, ast.Subscript)):
                return []
            node = node.value
