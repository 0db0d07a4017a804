"""A client for Coq's IDE protocol (``coqidetop``, the XML protocol CoqIDE speaks; Coq 8.16: 20220205).

Why this protocol rather than a ``coqtop`` prompt: every sentence gets a **state id**, ``Edit_at`` jumps
back to any earlier state without re-running what came before it, and goals come back structured
(hypotheses and conclusion of each goal, focused and unfocused). Execution is lazy: ``Add`` only parses
and queues a sentence; asking for the goals runs it, and a failure names the last good state.

The process writes a stream of top-level XML elements to stdout: one ``<value>`` answer per call, with
``<feedback>`` messages (errors, warnings, ``idtac`` output, file loads) interleaved. A reader thread
parses them and hands answers to the caller; a call without an answer in its timeout raises
:class:`CoqUnresponsive` and the owner kills the process (its whole process group) and starts a new one.
"""

from __future__ import annotations

import codecs
import os
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from mathlm.errors import MathlmError
from mathlm.theorem_proving.process import ProverProcess

PROTOCOL_VERSION = "20220205"  # Coq 8.16's; the Add call below is written for it
COQIDETOP = "coqidetop.opt"
INSTALL_HINT = (
    "Coq is not installed: install Debian's Coq 8.16 with "
    "`apt-get install -y coq libcoq-stdlib libcoq-coquelicot` (scripts/install_system_deps.sh does it)"
)


def find_coqidetop(executable: str = COQIDETOP) -> str:
    """The coqidetop binary, or a :class:`MathlmError` that says how to install Coq."""
    found = shutil.which(executable) or (executable if Path(executable).is_file() else None)
    if found is None:
        raise MathlmError(f"'{executable}' not found. {INSTALL_HINT}")
    return found


class CoqUnresponsive(Exception):
    """coqidetop did not answer in time (a tactic that ignores Timeout, a hung or stopped process)."""


class CoqDied(Exception):
    """coqidetop exited (or could not be started)."""


@dataclass(frozen=True)
class CoqGoal:
    hypotheses: tuple[str, ...]
    conclusion: str

    def render(self) -> str:
        """coqtop's layout: hypotheses, a rule, the conclusion."""
        return "\n".join([*self.hypotheses, "=" * 28, self.conclusion])


@dataclass(frozen=True)
class CoqGoals:
    """The proof state: focused goals, goals put aside by bullets/braces, shelved and given-up goals."""

    focused: tuple[CoqGoal, ...] = ()
    unfocused: tuple[CoqGoal, ...] = ()
    shelved: tuple[CoqGoal, ...] = ()
    given_up: tuple[CoqGoal, ...] = ()

    @property
    def finished(self) -> bool:
        """No goal of any kind is left (a given-up goal means ``admit`` was used: not finished)."""
        return not (self.focused or self.unfocused or self.shelved or self.given_up)

    def render(self) -> str:
        """The text the model sees and the search compares: every goal, focused ones first."""
        parts = [goal.render() for goal in self.focused]
        if self.unfocused:
            parts.append("(unfocused goals)\n" + "\n\n".join(g.render() for g in self.unfocused))
        if self.shelved:
            parts.append("(shelved goals)\n" + "\n\n".join(g.render() for g in self.shelved))
        if self.given_up:
            parts.append("(given up goals)\n" + "\n\n".join(g.render() for g in self.given_up))
        return "\n\n".join(parts)


@dataclass(frozen=True)
class Message:
    """A message Coq fed back while running a sentence (``About`` output, ``idtac`` text, an error)."""

    level: str  # error | warning | notice | info | debug
    text: str
    state_id: int


@dataclass
class Answer:
    """One call's answer: ``good`` or not, the value element, and the messages fed back meanwhile."""

    good: bool
    value: ET.Element
    messages: list[Message] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [m.text for m in self.messages if m.level == "error"]

    def output_of(self, state_id: int) -> str:
        """What the sentence that made ``state_id`` printed (notices and infos, in order)."""
        return "\n".join(m.text for m in self.messages if m.state_id == state_id and m.level != "error")

    @property
    def message(self) -> str:
        """The failure text: the answer's own message, else the first error fed back."""
        own = " ".join(_text(e) for e in self.value.findall("richpp")).strip()
        return own or (self.errors[0] if self.errors else "")

    @property
    def last_good_state(self) -> int | None:
        """For a failure: the state Coq says is still valid (``Edit_at`` there to carry on)."""
        found = self.value.find("state_id")
        return int(found.get("val", "0")) if found is not None else None


class CoqIdeProcess(ProverProcess):
    """One ``coqidetop`` process; calls are sequential (one worker owns it)."""

    label = "coqidetop"
    died = CoqDied
    unresponsive = CoqUnresponsive
    start_error = CoqDied

    def __init__(self, command: Sequence[str], cwd: str | None = None) -> None:
        self._messages: list[Message] = []
        self._messages_lock = threading.Lock()
        super().__init__(command, cwd)

    # -- calls -------------------------------------------------------------------------------------

    def init(self, timeout_s: float) -> int:
        """Start a document; returns the root state id."""
        answer = self.call('<call val="Init"><option val="none"/></call>', timeout_s)
        return _state_id(answer)

    def add(self, sentence: str, state_id: int, timeout_s: float) -> Answer:
        """Queue ``sentence`` after ``state_id`` (which must be the tip); the answer holds the new id."""
        body = (
            f"<pair><pair><pair><pair><string>{escape(sentence)}</string><int>-1</int></pair>"
            f'<pair><state_id val="{state_id}"/><bool val="false"/></pair></pair><int>0</int></pair>'
            "<pair><int>0</int><int>0</int></pair></pair>"
        )
        return self.call(f'<call val="Add">{body}</call>', timeout_s)

    def edit_at(self, state_id: int, timeout_s: float) -> Answer:
        """Make ``state_id`` the tip again, dropping every later state."""
        return self.call(f'<call val="Edit_at"><state_id val="{state_id}"/></call>', timeout_s)

    def goals(self, timeout_s: float) -> Answer:
        """Run everything queued and return the goals (``option val="none"``: not in a proof)."""
        return self.call('<call val="Goal"><unit/></call>', timeout_s)

    def call(self, xml: str, timeout_s: float) -> Answer:
        """Send one call and wait for its ``<value>``; errors fed back meanwhile come with it."""
        with self._messages_lock:
            self._messages.clear()
        value = self._exchange(xml.encode("utf-8"), timeout_s)
        with self._messages_lock:
            messages = list(self._messages)
        return Answer(value.get("val") == "good", value, messages)

    # -- the reader thread -------------------------------------------------------------------------

    def _read(self) -> None:
        parser = ET.XMLPullParser(events=("start", "end"))
        parser.feed("<stream>")
        depth = 0
        root: ET.Element | None = None
        pending = ""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may span reads
        assert self._proc.stdout is not None
        try:
            while chunk := os.read(self._proc.stdout.fileno(), 65536):
                text = pending + decoder.decode(chunk)
                text, pending = _complete_entities(text)
                parser.feed(text.replace("&nbsp;", "&#160;"))
                for event, element in parser.read_events():
                    if event == "start":
                        root = element if depth == 0 else root
                        depth += 1
                        continue
                    depth -= 1
                    if depth == 1 and root is not None:  # a child of the <stream> wrapper: one message
                        root.remove(element)  # keep the parser's tree from growing with the session
                        self._dispatch(element)
        except (OSError, ET.ParseError):
            pass
        self._answers.put(None)

    def _dispatch(self, element: ET.Element) -> None:
        if element.tag == "value":
            self._answers.put(element)
        elif element.tag == "feedback":
            message = element.find("feedback_content/message")
            level = message.find("message_level") if message is not None else None
            if message is None or level is None:
                return
            state = element.find("state_id")
            with self._messages_lock:
                self._messages.append(
                    Message(
                        level.get("val", ""),
                        _text(message.find("richpp")).strip(),
                        int(state.get("val", "0")) if state is not None else 0,
                    )
                )


def parse_goals(answer: Answer) -> CoqGoals | None:
    """The goals of a ``Goal`` answer, None when Coq is not in a proof."""
    option = answer.value.find("option")
    if option is None or option.get("val") == "none":
        return None
    goals = option.find("goals")
    lists = goals.findall("list") if goals is not None else []
    focused = tuple(_goal(g) for g in lists[0].findall("goal")) if lists else ()
    unfocused: list[CoqGoal] = []
    if len(lists) > 1:  # a list of (before, after) pairs, one per focusing level
        for pair in lists[1].findall("pair"):
            for side in pair.findall("list"):
                unfocused.extend(_goal(g) for g in side.findall("goal"))
    shelved = tuple(_goal(g) for g in lists[2].findall("goal")) if len(lists) > 2 else ()
    given_up = tuple(_goal(g) for g in lists[3].findall("goal")) if len(lists) > 3 else ()
    return CoqGoals(focused, tuple(unfocused), shelved, given_up)


def _goal(element: ET.Element) -> CoqGoal:
    hypotheses = tuple(_text(h).strip() for h in element.find("list").findall("richpp"))
    conclusion = _text(element.find("richpp")).strip()
    return CoqGoal(hypotheses, conclusion)


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()).replace("\xa0", " ") if element is not None else ""


def _state_id(answer: Answer) -> int:
    found = answer.value.find(".//state_id")
    if not answer.good or found is None:
        raise CoqDied(
            f"unexpected answer from coqidetop: {answer.message or ET.tostring(answer.value)[:200]!r}"
        )
    return int(found.get("val", "0"))


def _complete_entities(text: str) -> tuple[str, str]:
    """Split off a trailing, not yet complete ``&...;`` entity so it is fed whole with the next chunk."""
    amp = text.rfind("&")
    if amp != -1 and ";" not in text[amp:]:
        return text[:amp], text[amp:]
    return text, ""
