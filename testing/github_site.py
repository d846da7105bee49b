"""The demo team's GitHub repository: the mobile wallet work, tracked with milestones.

Served by `fake_github.FakeGitHub` while `make recordings` records the answers `weekly demo`
replays (weekly/demo/recordings/github.json), so the demo's page mixes Jira and GitHub bets,
each pulled through its real client.
"""

from __future__ import annotations

from testing.fake_github import Repo, issue, milestone, pull, pull_issue
from weekly.demo import workspace

REPOSITORY = "payments/wallet-app"
TOKEN = workspace.GITHUB_TOKEN


def repositories() -> dict[str, Repo]:
    apple = milestone(
        REPOSITORY,
        7,
        "Apple Pay in the iOS app",
        due_on="2026-12-21T08:00:00Z",
        open_issues=5,
        closed_issues=11,
        creator="mei-chen",
    )
    android = milestone(
        REPOSITORY,
        8,
        "Android wallet SDK upgrade",
        due_on="2026-12-04T08:00:00Z",
        open_issues=6,
        closed_issues=7,
        creator="lukas-b",
    )
    shipped = milestone(
        REPOSITORY,
        5,
        "Saved cards in the app",
        state="closed",
        closed_at="2026-10-16T12:00:00Z",
        open_issues=0,
        closed_issues=14,
    )
    blocked = issue(
        REPOSITORY,
        231,
        "Google Pay production key not issued yet",
        labels=["blocked"],
        assignees=["lukas-b"],
        milestone=android,
        created_at="2026-11-19T10:20:00Z",
        updated_at="2026-11-26T09:00:00Z",
    )
    decision = issue(
        REPOSITORY,
        240,
        "Drop Android 8 from the wallet app",
        labels=["decision-needed"],
        assignees=["lukas-b"],
        author="lukas-b",
        milestone=android,
        body=(
            "Approver: @dana-schulz\nDeadline: 2026-12-09\n\n"
            "- Drop it: 2.1% of wallet users, saves 2 weeks of SDK work\n"
            "- Keep it: ship the upgrade on 18 Dec\n"
        ),
    )
    merged = [
        pull(
            REPOSITORY,
            612,
            "Apple Pay sheet for saved cards",
            merged_at="2026-11-24T14:05:00Z",
            updated_at="2026-11-24T14:06:00Z",
            milestone=apple,
            author="mei-chen",
        ),
        pull(
            REPOSITORY,
            615,
            "Tokenise cards with the PSP vault",
            merged_at="2026-11-26T09:40:00Z",
            updated_at="2026-11-26T09:41:00Z",
            milestone=apple,
            author="mei-chen",
        ),
        pull(
            REPOSITORY,
            618,
            "Wallet SDK 22 behind a flag",
            merged_at="2026-11-25T16:12:00Z",
            updated_at="2026-11-25T16:13:00Z",
            milestone=android,
            author="lukas-b",
        ),
        pull(
            REPOSITORY,
            590,
            "Crash fix in card list",
            merged_at="2026-11-12T10:00:00Z",
            updated_at="2026-11-12T10:01:00Z",
            milestone=shipped,
            author="mei-chen",
        ),
    ]
    return {
        REPOSITORY: Repo(
            milestones=[apple, android, shipped],
            issues=[blocked, decision, *[pull_issue(p) for p in merged]],
            pulls=merged,
        )
    }
