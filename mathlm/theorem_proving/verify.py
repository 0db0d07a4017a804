"""The sound verifier: the only way a proof counts, for Coq and for Lean.

Coq (:class:`CoqVerifier`). The proof text replaces everything from the statement's ``Proof.`` to the end
of the benchmark file. It is accepted only when all of these hold:

1. a textual screen finds none of the commands that cheat or escape the check: ``Admitted``, ``admit``,
   ``give_up``, ``Abort``, new ``Axiom``/``Parameter``/``Variable``/``Hypothesis``/``Conjecture``/``Context``,
   ``Declare Module``, disabled guard/positivity/universe checking (flags or ``bypass_check``), loading
   code or files (``Declare ML Module``, ``Load``, load paths, ``Cd``), going back (``Reset``, ``Back``),
   writing files (``Redirect``, ``Extraction``), modules and sections, and ``Require`` of anything but
   the allowed libraries (the standard library and Coquelicot);
2. Coq runs header + a reference copy of the statement under a random name (``Admitted``, so it costs
   nothing) + the statement + the proof text, with no error and no proof left open;
3. under ``Set Printing All`` the theorem's type prints exactly as the reference copy's (same text
   elaborated in the same environment, so a statement that was aborted and re-declared, or that now
   means something else through new definitions or notations, does not match);
4. ``About`` says the theorem is opaque (closed with ``Qed``);
5. ``Print Assumptions`` lists only axioms whose full path (from ``About``) lies in an allowed library,
   and nothing "assumed to be guarded/positive" or a collapsed universe hierarchy.

The answers of steps 3-5 are the messages Coq feeds back for *our* sentences (matched by state id), so
text the proof prints itself cannot pose as them.

Lean (:func:`verify_lean`). The proof text replaces everything from the statement's ``:=``. A textual
screen refuses ``sorry``, ``admit``, ``sorryAx``, ``native_decide`` (unless allowed), new axioms, any new
top-level command (a changed or re-declared statement), meta-programming that can add declarations
(``run_tac``, ``elab``, ``Lean.Elab``...), kernel-check switches and ``implemented_by``/``extern``. With a
Lean backend the file is also checked by Lean, and ``#print axioms`` must list only the standard three
(plus ``Lean.ofReduceBool`` when ``native_decide`` is allowed).
"""

from __future__ import annotations

import functools
import re
import secrets
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mathlm.theorem_proving.coq_ide import (
    CoqDied,
    CoqIdeProcess,
    CoqUnresponsive,
    find_coqidetop,
    parse_goals,
)
from mathlm.theorem_proving.coq_text import CoqTextError, Sentence, code_only, split_sentences

ALLOWED_COQ_ROOTS = ("Coq", "Coquelicot")
LEAN_STANDARD_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})
LEAN_NATIVE_AXIOMS = frozenset({"Lean.ofReduceBool", "Lean.trustCompiler"})


@dataclass(frozen=True)
class Verdict:
    """``verified`` or not; ``reason`` is ``ok`` or ``<code>: <what Coq/Lean or the screen said>``."""

    verified: bool
    reason: str

    @classmethod
    def refuse(cls, code: str, detail: str = "") -> Verdict:
        return cls(False, f"{code}: {detail}" if detail else code)


ACCEPTED = Verdict(True, "ok")

# --- Coq: the textual screen ------------------------------------------------------------------------

# Sentences whose leading words (after attributes and Local/Global/#[...]) are refused, with why.
_COQ_FORBIDDEN_COMMANDS: dict[tuple[str, ...], str] = {
    ("Admitted",): "admitted",
    ("Abort",): "abort",
    ("Axiom",): "new_axiom",
    ("Axioms",): "new_axiom",
    ("Parameter",): "new_axiom",
    ("Parameters",): "new_axiom",
    ("Conjecture",): "new_axiom",
    ("Variable",): "new_axiom",
    ("Variables",): "new_axiom",
    ("Hypothesis",): "new_axiom",
    ("Hypotheses",): "new_axiom",
    ("Context",): "new_axiom",
    ("Declare", "Module"): "new_axiom",
    ("Declare", "ML"): "loads_code",
    ("Load",): "loads_code",
    ("Add", "LoadPath"): "loads_code",
    ("Add", "Rec"): "loads_code",
    ("Add", "ML"): "loads_code",
    ("Cd",): "loads_code",
    ("Reset",): "goes_back",
    ("Back",): "goes_back",
    ("BackTo",): "goes_back",
    ("Undo",): "goes_back",
    ("Restart",): "goes_back",
    ("Drop",): "goes_back",
    ("Redirect",): "writes_files",
    ("Extraction",): "writes_files",
    ("Separate",): "writes_files",
    ("Recursive",): "writes_files",
    ("Module",): "module_or_section",
    ("Section",): "module_or_section",
    ("End",): "module_or_section",
    ("Primitive",): "new_axiom",
    ("Register",): "new_axiom",
    ("Admit",): "admitted",
    ("Typing", "Flags"): "unsafe_flag",
}
_COQ_FORBIDDEN_WORDS = {"admit": "admitted", "give_up": "admitted", "bypass_check": "unsafe_flag"}
_UNSAFE_FLAGS = re.compile(r"\b(Guard|Positivity|Universe)\s+Checking\b")
_PREFIXES = {
    "Local",
    "Global",
    "Polymorphic",
    "Monomorphic",
    "Cumulative",
    "NonCumulative",
    "Private",
    "Program",
    "Time",
    "Fail",
    "Succeed",
    "Timeout",
    "Instructions",
    "Profile",
}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_']*")


def screen_coq(proof: str, allowed_roots: Sequence[str] = ALLOWED_COQ_ROOTS) -> Verdict | None:
    """The first textual reason to refuse ``proof`` (None when the screen passes)."""
    try:
        sentences = split_sentences(proof)
    except CoqTextError as err:
        return Verdict.refuse("does_not_lex", str(err))
    for sentence in sentences:
        code = sentence.code
        for word in _WORD.findall(code):
            if word in _COQ_FORBIDDEN_WORDS:
                return Verdict.refuse(_COQ_FORBIDDEN_WORDS[word], f"uses '{word}'")
        if _UNSAFE_FLAGS.search(code):
            return Verdict.refuse("unsafe_flag", f"changes a kernel check: {_first_line(sentence.text)}")
        words = _command_words(code)
        for command, code_name in _COQ_FORBIDDEN_COMMANDS.items():
            if tuple(words[: len(command)]) == command:
                return Verdict.refuse(code_name, _first_line(sentence.text))
        if "Require" in words[:4]:
            problem = _require_problem(words, allowed_roots)
            if problem:
                return Verdict.refuse("disallowed_require", problem)
    return None


def _command_words(code: str) -> list[str]:
    """The sentence's words without attributes (``#[...]``), prefixes (Local, Fail...) and timeouts."""
    code = re.sub(r"#\[[^\]]*\]", " ", code)
    words = code.replace(".", " . ").split()
    while words and (words[0] in _PREFIXES or words[0].isdigit()):
        words.pop(0)
    return words


def _require_problem(words: list[str], allowed_roots: Sequence[str]) -> str:
    """Why a ``[From R] Require [Import|Export] M...`` may not run ('' when every module is allowed)."""
    root = None
    if words[0] == "From":
        root, words = words[1], words[2:]
    if not words or words[0] != "Require":
        return ""
    modules = [w for w in words[1:] if w not in {"Import", "Export", "."} and not w.startswith("-")]
    if root is not None and root not in allowed_roots:
        return f"library {root} is not allowed (allowed: {', '.join(allowed_roots)})"
    index = coq_library_index()
    for module in modules:
        parts = tuple(module.split("."))
        found = {
            full
            for full in index.get(parts[-1], ())
            if full[-len(parts) :] == parts and (root is None or full[0] == root)
        }
        if not found:
            return f"no installed library module {module}"
        outside = sorted(".".join(f) for f in found if f[0] not in allowed_roots)
        if outside:
            return f"{module} resolves to {outside[0]}, outside the allowed libraries"
    return ""


@functools.lru_cache(maxsize=1)
def coq_library_index() -> dict[str, set[tuple[str, ...]]]:
    """Every installed Coq module's logical path (stdlib under ``Coq``, user-contrib under its folder),
    by last component; it decides where a ``Require`` resolves."""
    where = subprocess.run(["coqc", "-where"], capture_output=True, text=True, check=False).stdout.strip()
    index: dict[str, set[tuple[str, ...]]] = {}
    if not where:
        return index
    for base, root in [
        (Path(where) / "theories", ("Coq",)),
        *[(p, ()) for p in (Path(where) / "user-contrib").glob("*")],
    ]:
        top = base if root else base.parent
        for vo in base.rglob("*.vo"):
            parts = root + vo.relative_to(top).with_suffix("").parts
            index.setdefault(parts[-1], set()).add(parts)
    return index


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:120] if text.strip() else ""


# --- Coq: the check in Coq itself --------------------------------------------------------------------

_DECLARATION = re.compile(
    r"^(\s*(?:Theorem|Lemma|Fact|Remark|Corollary|Proposition|Example)\s+)"
    r"([A-Za-z_][A-Za-z0-9_']*)"
)


def theorem_name(statement: str) -> str:
    """The name declared by a Coq statement ``Theorem name ... .``."""
    found = _DECLARATION.match(code_only(statement))
    if not found:
        raise ValueError(f"not a Coq theorem statement: {statement[:80]!r}")
    return found.group(2)


class CoqVerifier:
    """Runs the Coq check in a ``coqidetop`` of its own; the header of the last theorem stays loaded
    (``Edit_at`` restores the state right after it for the next proof)."""

    def __init__(
        self,
        executable: str = "coqidetop.opt",
        timeout_s: float = 120.0,
        allowed_roots: Sequence[str] = ALLOWED_COQ_ROOTS,
    ) -> None:
        self.command = [find_coqidetop(executable), "-main-channel", "stdfds", "-async-proofs", "off"]
        self.timeout_s = timeout_s
        self.allowed_roots = tuple(allowed_roots)
        self._scratch = tempfile.TemporaryDirectory(prefix="mathlm-verify-")  # Coq's caches go here, not cwd
        self._process: CoqIdeProcess | None = None
        self._root = 0
        self._header: str | None = None
        self._header_tip = 0

    def verify(self, header: str, statement: str, proof: str, screen: bool = True) -> Verdict:
        """Check ``header + statement + proof`` (see the module docstring). ``screen=False`` skips the
        textual screen: the tests use it to show that the check in Coq refuses each cheat on its own."""
        screened = screen_coq(proof, self.allowed_roots) if screen else None
        if screened is not None:
            return screened
        try:
            return self._check(header, statement, proof)
        except CoqUnresponsive as err:
            self.close()
            return Verdict.refuse("timeout", str(err))
        except CoqDied as err:
            self.close()
            return Verdict.refuse("prover_crash", str(err))

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
        self._process, self._header = None, None

    def _check(self, header: str, statement: str, proof: str) -> Verdict:
        name = theorem_name(statement)
        reference = f"mathlm_ref_{secrets.token_hex(8)}"
        tip = self._load_header(header)
        if isinstance(tip, Verdict):
            return tip
        process = self._proc()
        try:
            copy = _DECLARATION.sub(lambda m: m.group(1) + reference, statement, count=1)
            sentences = [
                *split_sentences(copy),
                *split_sentences("Admitted."),
                *split_sentences(statement),
                *split_sentences(proof),
            ]
        except CoqTextError as err:
            return Verdict.refuse("does_not_lex", str(err))
        try:
            ran = self._run(process, tip, sentences)
            if isinstance(ran, Verdict):
                return ran
            if parse_goals(process.goals(self.timeout_s)) is not None:
                return Verdict.refuse("not_closed", "the proof leaves a goal or a proof open (no Qed)")
            queries = [
                "Set Printing All.",
                f"About {name}.",
                f"About {reference}.",
                f"Print Assumptions {name}.",
            ]
            answered = self._query(process, ran, queries)
            if isinstance(answered, Verdict):
                return answered
            (_, about, about_reference, assumptions), end = answered
            return self._judge(process, end, name, reference, about, about_reference, assumptions)
        finally:
            if self._process is not None:
                process.edit_at(tip, self.timeout_s)

    def _judge(
        self,
        process: CoqIdeProcess,
        tip: int,
        name: str,
        reference: str,
        about: str,
        about_reference: str,
        assumptions: str,
    ) -> Verdict:
        if _printed_type(about, name) is None:
            return Verdict.refuse("missing_theorem", f"no theorem {name} after the proof")
        if _printed_type(about, name) != _printed_type(about_reference, reference):
            return Verdict.refuse("statement_changed", f"{name} no longer has the benchmark's statement")
        axioms, other = _assumptions(assumptions)
        if other:
            return Verdict.refuse("unsafe_assumption", other[0])
        if name in axioms:
            return Verdict.refuse("admitted", f"{name} itself is an assumption (Admitted)")
        if f"{name} is opaque" not in about:
            return Verdict.refuse("not_qed", f"{name} is not opaque (closed with Defined, not Qed)")
        answered = self._query(process, tip, [f"About {axiom}." for axiom in axioms])
        if isinstance(answered, Verdict):
            return answered
        for axiom, text in zip(axioms, answered[0], strict=True):
            found = re.search(r"Expands to: Constant\s+(\S+)", text)
            full = found.group(1) if found else axiom
            if full.split(".")[0] not in self.allowed_roots:
                return Verdict.refuse("new_axiom", f"depends on {full}, which no allowed library declares")
        return ACCEPTED

    def _load_header(self, header: str) -> int | Verdict:
        process = self._proc()
        if self._header == header:
            return self._header_tip
        process.edit_at(self._root, self.timeout_s)
        try:
            sentences = split_sentences(header)
        except CoqTextError as err:
            return Verdict.refuse("header_error", str(err))
        ran = self._run(process, self._root, sentences)
        if isinstance(ran, Verdict):
            process.edit_at(self._root, self.timeout_s)
            return Verdict.refuse("header_error", ran.reason)
        self._header, self._header_tip = header, ran
        return ran

    def _run(self, process: CoqIdeProcess, tip: int, sentences: Iterable[Sentence]) -> int | Verdict:
        """Add and run ``sentences`` after ``tip``; the new tip, or why Coq refused."""
        for sentence in sentences:
            answer = process.add(sentence.text, tip, self.timeout_s)
            if not answer.good:
                return Verdict.refuse("coq_error", f"{_first_line(sentence.text)}: {answer.message}")
            tip = int(answer.value.find("pair/state_id").get("val", "0"))
        answer = process.goals(self.timeout_s)
        if not answer.good:
            return Verdict.refuse("coq_error", answer.message)
        return tip

    def _query(
        self, process: CoqIdeProcess, tip: int, commands: Sequence[str]
    ) -> tuple[list[str], int] | Verdict:
        """Run our own query sentences after ``tip``: what each printed (matched by its state id), and
        the new tip."""
        ids = []
        for command in commands:
            answer = process.add(command, tip, self.timeout_s)
            if not answer.good:
                return Verdict.refuse("coq_error", f"{command}: {answer.message}")
            tip = int(answer.value.find("pair/state_id").get("val", "0"))
            ids.append(tip)
        answer = process.goals(self.timeout_s)
        if not answer.good:
            return Verdict.refuse("coq_error", answer.message)
        return [answer.output_of(state) for state in ids], tip

    def _proc(self) -> CoqIdeProcess:
        if self._process is None or not self._process.alive():
            self._process = CoqIdeProcess(self.command, cwd=self._scratch.name)
            self._root = self._process.init(self.timeout_s)
            self._header = None
        return self._process


def _printed_type(about: str, name: str) -> str | None:
    """The type in ``About name``'s first paragraph (``name : type``), white space normalised."""
    head = about.split("\n\n")[0]
    if not head.startswith(f"{name} :"):
        return None
    return " ".join(head[len(name) + 2 :].split())


def _assumptions(text: str) -> tuple[list[str], list[str]]:
    """(axiom names, other assumptions) from ``Print Assumptions`` output."""
    if "Closed under the global context" in text:
        return [], []
    axioms, other, section = [], [], ""
    for line in text.splitlines():
        if not line.strip() or line[0].isspace():
            continue
        if line.endswith(":") and " " not in line.strip()[:-1]:
            section = line[:-1]
            continue
        if "is assumed to be" in line or "hierarchy is collapsed" in line:
            other.append(line.strip())
        elif section == "Axioms":
            axioms.append(line.split(" :")[0].split()[0])
        else:
            other.append(line.strip())
    return axioms, other


_shared: dict[str, CoqVerifier] = {}


def verify_coq(header: str, statement: str, proof: str, timeout_s: float = 120.0) -> Verdict:
    """Verify one proof with a verifier kept per process (its header stays loaded between calls)."""
    verifier = _shared.get("default")
    if verifier is None or verifier.timeout_s != timeout_s:
        verifier = _shared["default"] = CoqVerifier(timeout_s=timeout_s)
    return verifier.verify(header, statement, proof)


# --- Lean ---------------------------------------------------------------------------------------------

_LEAN_COMMANDS = (
    "theorem",
    "lemma",
    "def",
    "example",
    "abbrev",
    "instance",
    "structure",
    "class",
    "inductive",
    "axiom",
    "opaque",
    "constant",
    "namespace",
    "section",
    "end",
    "open",
    "variable",
    "universe",
    "import",
    "macro",
    "macro_rules",
    "syntax",
    "elab",
    "elab_rules",
    "notation",
    "infix",
    "infixl",
    "infixr",
    "prefix",
    "postfix",
    "attribute",
    "set_option",
    "run_cmd",
    "run_elab",
    "run_meta",
    "#eval",
    "#exit",
    "#print",
    "#check",
    "noncomputable",
    "private",
    "protected",
    "partial",
    "unsafe",
    "mutual",
    "deriving",
    "initialize",
    "builtin_initialize",
    "@[",
)
_LEAN_FORBIDDEN = {
    r"\bsorry\b": "sorry",
    r"\badmit\b": "admitted",
    r"\bsorryAx\b": "sorry",
    r"\baxiom\b": "new_axiom",
    r"\bimplemented_by\b": "unsafe_code",
    r"\bextern\b": "unsafe_code",
    r"\bunsafe\b": "unsafe_code",
    r"\brun_tac\b": "meta_code",
    r"\bby_elab\b": "meta_code",
    r"\brun_cmd\b|\brun_elab\b|\brun_meta\b": "meta_code",
    r"\bLean\.(Elab|Meta|Environment|addDecl)\b": "meta_code",
    r"\baddDecl\b": "meta_code",
    r"\bdebug\.skipKernelTC\b": "unsafe_flag",
    r"\bofReduceBool\b": "native_decide",
    r"\btrustCompiler\b": "native_decide",
}
_NATIVE = re.compile(r"\bnative_decide\b|\bdecide\s*\+\s*native\b|\bnative\s*:=\s*true\b")


def lean_code_only(text: str) -> str:
    """Lean text with comments (``--`` and nested ``/- -/``) and string contents blanked, offsets kept."""
    out, i, n = list(text), 0, len(text)
    while i < n:
        if text.startswith("/-", i):
            depth, j = 0, i
            while j < n:
                if text.startswith("/-", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("-/", j):
                    depth, j = depth - 1, j + 2
                    if depth == 0:
                        break
                else:
                    j += 1
            _blank(out, i, j)
            i = j
        elif text.startswith("--", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            _blank(out, i, j)
            i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            _blank(out, i + 1, min(j, n))
            i = j + 1
        else:
            i += 1
    return "".join(out)


def screen_lean(proof: str, allow_native_decide: bool = False) -> Verdict | None:
    """The first textual reason to refuse a Lean proof text (what follows the statement's ``:=``)."""
    code = lean_code_only(proof)
    if not code.lstrip().startswith(":="):
        return Verdict.refuse(
            "statement_changed", "the proof text must start with ':=' (it replaces the proof)"
        )
    for pattern, reason in _LEAN_FORBIDDEN.items():
        found = re.search(pattern, code)
        if found:
            return Verdict.refuse(reason, f"uses '{found.group(0)}'")
    if not allow_native_decide and _NATIVE.search(code):
        return Verdict.refuse("native_decide", "native_decide trusts the compiler (not allowed by policy)")
    for line in code.splitlines()[1:]:
        if line and not line[0].isspace():
            word = line.split()[0]
            if word.startswith((*_LEAN_COMMANDS, "#")):
                return Verdict.refuse("statement_changed", f"a new top-level command: {line.strip()[:80]}")
    return None


def verify_lean(
    header: str,
    statement: str,
    proof: str,
    backend: Any = None,
    allow_native_decide: bool = False,
    header_axioms: frozenset[str] = frozenset(),
    screen: bool = True,
) -> Verdict:
    """Screen a Lean proof; with a Lean backend (anything with ``check_messages``) also have Lean check
    the file: no error, no ``sorry``, the statement unchanged (``#check`` under ``pp.all`` equal to a
    reference copy declared as an axiom under a random name) and only the standard axioms (plus
    ``header_axioms``, axioms the benchmark's own header declares). ``screen=False`` skips the textual
    screen (tests use it to show Lean's answers refuse a cheat on their own)."""
    screened = screen_lean(proof, allow_native_decide) if screen else None
    if screened is not None:
        return screened
    if backend is None:
        return Verdict(True, "ok (textual screen only: no Lean backend to check the file)")
    name = re.match(r"\s*(?:theorem|lemma)\s+(\S+)", statement)
    if not name:
        return Verdict.refuse("not_a_theorem", statement[:80])
    reference = f"mathlm_ref_{secrets.token_hex(8)}"
    bare = statement.rstrip().removesuffix("by").rstrip().removesuffix(":=").rstrip()
    copy = re.sub(
        r"^(\s*)(?:theorem|lemma)(\s+)\S+",
        lambda m: f"{m.group(1)}axiom{m.group(2)}{reference}",
        bare,
        count=1,
    )
    epilogue = (
        f"\n\nset_option pp.all true in\n#check @{name.group(1)}\nset_option pp.all true in\n"
        f"#check @{reference}\n#print axioms {name.group(1)}\n"
    )
    text = f"{header}{copy}\n\n{bare} {proof.strip()}{epilogue}"
    return judge_lean(
        backend.check_messages(text), name.group(1), reference, allow_native_decide, header_axioms
    )


def judge_lean(
    messages: Sequence[tuple[str, str]],
    name: str,
    reference: str,
    allow_native_decide: bool,
    header_axioms: frozenset[str] = frozenset(),
) -> Verdict:
    """Decide from Lean's (severity, text) messages of the verification file."""
    errors = [text for severity, text in messages if severity == "error"]
    if errors:
        return Verdict.refuse("lean_error", errors[0][:300])
    sorries = [text for severity, text in messages if severity == "warning" and "sorry" in text]
    if sorries:
        return Verdict.refuse("sorry", sorries[0][:200])
    infos = [text for severity, text in messages if severity == "information"]
    types = {
        n: " ".join(t.split(":", 1)[1].split())
        for t in infos
        for n in (name, reference)
        if t.startswith((f"@{n} :", f"{n} :"))
    }
    if name not in types or types.get(name) != types.get(reference):
        return Verdict.refuse("statement_changed", f"{name} no longer has the benchmark's statement")
    allowed = (
        LEAN_STANDARD_AXIOMS | header_axioms | (LEAN_NATIVE_AXIOMS if allow_native_decide else frozenset())
    )
    for text in infos:
        if "depends on axioms" in text:
            used = set(re.findall(r"[\w.']+", text.split("axioms:", 1)[1]))
            extra = sorted(used - allowed)
            if extra:
                return Verdict.refuse("new_axiom", f"depends on {', '.join(extra)}")
    return ACCEPTED


def _blank(chars: list[str], start: int, end: int) -> None:
    for k in range(start, min(end, len(chars))):
        if chars[k] != "\n":
            chars[k] = " "


# --- one interface over both languages (what the runner and `mathlm prove verify` use) ----------------


class TheoremVerifier:
    """``verify(theorem, proof)`` for a :class:`~mathlm.theorem_proving.theorems.Theorem` of either
    language. Lean uses ``lean_backend`` (anything with ``check_messages``) when one is given."""

    def __init__(
        self,
        language: str,
        coq: CoqVerifier | None = None,
        lean_backend: Any = None,
        allow_native_decide: bool = False,
    ) -> None:
        self.language = language
        self.coq = coq
        self.lean_backend = lean_backend
        self.allow_native_decide = allow_native_decide

    def verify(self, theorem: Any, proof: str) -> Verdict:
        if theorem.language == "coq":
            if self.coq is None:
                self.coq = CoqVerifier()
            return self.coq.verify(theorem.header, theorem.statement, proof)
        return verify_lean(
            theorem.header, theorem.statement, proof, self.lean_backend, self.allow_native_decide
        )

    def close(self) -> None:
        if self.coq is not None:
            self.coq.close()
        if self.lean_backend is not None:
            self.lean_backend.close()


def verifier_for(config: Any, language: str, lean_backend: Any = None) -> TheoremVerifier:
    """The verifier a prove config asks for (``config`` is a ``ProverConfig``)."""
    coq = None
    if language == "coq":
        coq = CoqVerifier(
            config.coqidetop, timeout_s=config.start_timeout_s, allowed_roots=config.allowed_libraries
        )
    return TheoremVerifier(language, coq, lean_backend, config.allow_native_decide)


def search_proof_text(language: str, rendered: str) -> str:
    """A search result as the verifier's proof text: Coq's script as rendered (``Proof. ... Qed.``);
    Lean's tactic block after ``:= by``."""
    return rendered if language == "coq" else ":= by" + rendered
