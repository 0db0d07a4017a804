"""Optional backends over other Lean interfaces: LeanDojo (what Llemma's published run used) and
lean-interact (the Lean REPL). Each library is imported only when its backend is built, and a missing
one is a :class:`~mathlm.errors.MathlmError` that says what to install.

Neither library can run on the project's test machines (they download toolchains and repositories),
so these adapters are thin: they translate the libraries' results into :class:`TacticResult` and keep
nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mathlm.errors import MathlmError
from mathlm.theorem_proving.backend import Outcome, ProofState, TacticResult, TheoremStartError


def _require(module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MathlmError(f"prover.backend needs the '{package}' package: pip install {package} "
                          "(or use the default lean_server backend)") from None


class LeanInteractBackend:
    """lean-interact's REPL: the statement with ``sorry`` gives a proof state id; tactics run on ids."""

    def __init__(self, project_dir: str, timeout_s: float = 60.0) -> None:
        lean_interact = _require("lean_interact", "lean-interact")
        config = lean_interact.LeanREPLConfig(project=lean_interact.LocalProject(directory=project_dir))
        self._li = lean_interact
        self._server = lean_interact.AutoLeanServer(config)
        self.timeout_s = timeout_s

    def start(self, header: str, statement: str) -> ProofState:
        response = self._run(self._li.Command(cmd=header + statement + " sorry"))
        sorries = getattr(response, "sorries", None)
        if not sorries:
            raise TheoremStartError("statement_error", _first_error(response))
        return ProofState(goals=sorries[0].goal, handle=sorries[0].proof_state)

    def apply(self, state: ProofState, tactic: str) -> TacticResult:
        try:
            response = self._run(self._li.ProofStep(proof_state=state.handle, tactic=tactic))
        except TimeoutError as err:
            return TacticResult(Outcome.ERROR, reason="timeout", message=str(err))
        if not hasattr(response, "goals"):
            return TacticResult(Outcome.ERROR, reason="lean_error", message=_first_error(response))
        tactics = (*state.tactics, tactic)
        if not response.goals and getattr(response, "proof_status", "") == "Completed":
            return TacticResult(Outcome.PROVED, state=ProofState("", tactics, response.proof_state))
        return TacticResult(Outcome.GOALS, state=ProofState("\n\n".join(response.goals), tactics,
                                                             response.proof_state))

    def check(self, header: str, statement: str, proof: str) -> str | None:
        response = self._run(self._li.Command(cmd=header + statement + proof))
        messages = getattr(response, "messages", [])
        problems = [m.data for m in messages if m.severity == "error" or "sorry" in m.data]
        return problems[0] if problems else None

    def close(self) -> None:
        self._server.kill()

    def _run(self, request: Any) -> Any:
        return self._server.run(request, timeout=self.timeout_s)


class LeanDojoBackend:
    """LeanDojo's ``Dojo`` on a traced repository (Llemma's miniF2F run: rah4927/lean-dojo-mew).

    LeanDojo addresses theorems by file and name, not by text, so the backend is given the theorems it
    will see: ``statement -> (file_path, full_name)``; the runner builds this from ``minif2f_llemma``.
    """

    def __init__(self, repo_url: str, commit: str, theorems: Mapping[str, tuple[str, str]],
                 timeout_s: float = 600.0) -> None:
        self._dojo_module = _require("lean_dojo", "lean-dojo")
        self._repo = self._dojo_module.LeanGitRepo(repo_url, commit)
        self._theorems = dict(theorems)
        self._context: Any = None
        self.timeout_s = timeout_s

    def start(self, header: str, statement: str) -> ProofState:
        self._leave()
        if statement not in self._theorems:
            raise TheoremStartError("unknown_theorem", "LeanDojo only knows theorems of its traced repository")
        file_path, full_name = self._theorems[statement]
        theorem = self._dojo_module.Theorem(self._repo, file_path, full_name)
        try:
            self._context = self._dojo_module.Dojo(theorem, timeout=int(self.timeout_s))
            dojo, initial = self._context.__enter__()
        except Exception as err:  # noqa: BLE001 (LeanDojo raises DojoInitError/DojoCrashError and plain errors)
            self._context = None
            raise TheoremStartError("dojo_start_failed", str(err)) from None
        self._dojo = dojo
        return ProofState(goals=initial.pp, handle=initial)

    def apply(self, state: ProofState, tactic: str) -> TacticResult:
        module = self._dojo_module
        try:
            result = self._dojo.run_tac(state.handle, tactic)
        except Exception as err:  # noqa: BLE001 (DojoCrashError / DojoHardTimeoutError: the REPL is gone)
            return TacticResult(Outcome.ERROR, reason="server_crash", message=str(err))
        tactics = (*state.tactics, tactic)
        if isinstance(result, module.ProofFinished):
            return TacticResult(Outcome.PROVED, state=ProofState("", tactics, result))
        if isinstance(result, module.TacticState):
            return TacticResult(Outcome.GOALS, state=ProofState(result.pp, tactics, result))
        return TacticResult(Outcome.ERROR, reason="lean_error", message=str(getattr(result, "error", result)))

    def check(self, header: str, statement: str, proof: str) -> str | None:
        # LeanDojo only reports ProofFinished once the kernel accepted the whole proof term.
        return None

    def close(self) -> None:
        self._leave()

    def _leave(self) -> None:
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = None


def _first_error(response: Any) -> str:
    messages = getattr(response, "messages", None) or []
    errors = [m.data for m in messages if getattr(m, "severity", "") == "error"]
    return errors[0] if errors else str(getattr(response, "message", response))[:500]
