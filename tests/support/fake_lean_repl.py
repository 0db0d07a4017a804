"""A FAKE Lean REPL: a Python program that speaks the REPL's JSON protocol (commands separated by blank
lines, one pretty-printed JSON answer each), so the REPL client's own logic can be tested here, where no
Lean REPL or Mathlib can be installed. It is not Lean: goals follow a small table.

Commands: a header (no "theorem") gives a new env; a theorem with "sorry" gives a proofState for goal
"⊢ p". Tactics: "constructor" -> goal "⊢ q", "exact hq" on "⊢ q" -> no goals, "spin" -> Lean's heartbeat
error, "hang" -> never answers, "grow" -> allocates ~300 MB then answers like "constructor".
"""

import json
import sys
import time

ENVS, STATES, HEAP = [], {}, []


def answer(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, indent=1) + "\n\n")
    sys.stdout.flush()


def handle(request: dict) -> None:
    if "cmd" in request:
        ENVS.append(request["cmd"])
        if "theorem" not in request["cmd"]:
            answer({"env": len(ENVS) - 1})
        elif "sorry" in request["cmd"]:
            STATES[len(STATES)] = "⊢ p"
            answer(
                {
                    "env": len(ENVS) - 1,
                    "sorries": [{"proofState": len(STATES) - 1, "goal": "⊢ p"}],
                    "messages": [{"severity": "warning", "data": "declaration uses 'sorry'"}],
                }
            )
        else:
            answer(
                {
                    "env": len(ENVS) - 1,
                    "messages": []
                    if "exact hq" in request["cmd"]
                    else [{"severity": "error", "data": "unsolved goals"}],
                }
            )
        return
    goal, tactic = STATES.get(request["proofState"]), request["tactic"]
    if tactic == "hang":
        time.sleep(3600)
    if tactic == "spin":
        answer(
            {
                "messages": [
                    {
                        "severity": "error",
                        "data": "(deterministic) timeout at `whnf`, maximum number of "
                        "heartbeats (200000) has been reached",
                    }
                ]
            }
        )
        return
    if tactic == "grow":
        HEAP.append(bytearray(300 * 1024 * 1024))
        tactic = "constructor"
    if (goal, tactic) == ("⊢ p", "constructor"):
        STATES[len(STATES)] = "⊢ q"
        answer({"proofState": len(STATES) - 1, "goals": ["⊢ q"]})
    elif (goal, tactic) == ("⊢ q", "exact hq"):
        STATES[len(STATES)] = ""
        answer({"proofState": len(STATES) - 1, "goals": []})
    else:
        answer({"messages": [{"severity": "error", "data": f"unknown tactic {tactic}"}]})


def main() -> None:
    buffer = ""
    for line in sys.stdin:
        if line.strip():
            buffer += line
        elif buffer:
            handle(json.loads(buffer))
            buffer = ""


if __name__ == "__main__":
    main()
