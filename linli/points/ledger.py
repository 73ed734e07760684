"""The double-entry ledger: opening accounts, booking transfers under row locks, verifying chains.

Locking order, everywhere: goods row first (if any), then the accounts involved, by ascending id.
Taking locks in one global order is what keeps concurrent redemptions and awards from deadlocking.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from linli.core import clock
from linli.core.errors import Refused
from linli.points.models import GENESIS, Account, Entry, Transfer


def community_of_household(household):
    return household.dwelling.entrance.building.compound.community


def _open(kind, community, **owner) -> Account:
    lookup = owner or {"community": community, "kind": kind}
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, community=community, **owner)
    except IntegrityError:
        # Opened concurrently by another request: use that one.
        return Account.objects.get(**lookup)


def issuing_account(community) -> Account:
    return _open(Account.Kind.ISSUING, community)


def shop_account(community) -> Account:
    return _open(Account.Kind.SHOP, community)


def resident_account(resident) -> Account:
    return _open(Account.Kind.RESIDENT, community_of_household(resident.household), resident=resident)


def household_account(household) -> Account:
    return _open(Account.Kind.HOUSEHOLD, community_of_household(household), household=household)


def redemption_accounts(resident, community) -> tuple[Account, Account]:
    """The resident's account and the community's shop account, in one query once both are open."""
    found = {(a.kind, a.resident_id): a for a in Account.objects.filter(
        Q(resident=resident) | Q(community=community, kind=Account.Kind.SHOP))}
    own = found.get((Account.Kind.RESIDENT, resident.pk)) or resident_account(resident)
    shop = found.get((Account.Kind.SHOP, None)) or shop_account(community)
    return own, shop


def lock_accounts(*ids) -> dict[int, Account]:
    """SELECT … FOR UPDATE the accounts in ascending id order; returns them fresh from the database."""
    ordered = sorted(set(ids))
    rows = list(Account.objects.select_for_update().filter(id__in=ordered).order_by("id"))
    return {a.pk: a for a in rows}


def _append(account: Account, transfer: Transfer, amount: int, at) -> Entry:
    entry = Entry(account=account, transfer=transfer, seq=account.last_seq + 1, amount=amount,
                  balance_after=account.balance + amount, at=at, prev_hash=account.last_hash)
    entry.hash = entry.compute_hash(transfer)
    entry.save()
    account.balance = entry.balance_after
    account.last_seq = entry.seq
    account.last_hash = entry.hash
    account.save(update_fields=["balance", "last_seq", "last_hash"])
    return entry


def post(*, key: str, source: Account, target: Account, amount: int, kind: str, reason: str, actor=None,
         locked: dict[int, Account] | None = None) -> Transfer:
    """Book one transfer. Must run inside a transaction; locks the two accounts unless given `locked`.

    The caller has already checked that `key` is new (business records carry the same key); the
    unique index on Transfer.key is the last line of defence against a concurrent duplicate.
    """
    assert transaction.get_connection().in_atomic_block, "post() must run inside transaction.atomic"
    if amount <= 0:
        raise Refused("amount_not_positive", "积分数必须大于零。")
    locked = locked or lock_accounts(source.pk, target.pk)
    src, dst = locked[source.pk], locked[target.pk]
    if src.kind != Account.Kind.ISSUING and src.balance < amount:
        raise Refused("insufficient_points", f"积分余额不足：需要 {amount} 分，当前余额 {src.balance} 分。")
    at = clock.now()
    transfer = Transfer.objects.create(key=key, kind=kind, source=src, target=dst, amount=amount,
                                       reason=reason[:300], actor=actor if getattr(actor, "pk", None) else None,
                                       at=at)
    _append(src, transfer, -amount, at)
    _append(dst, transfer, amount, at)
    return transfer


def entries_for(transfer: Transfer, locked: dict[int, Account], at) -> list[tuple[Account, Entry]]:
    """The two entries of a transfer, chained and hashed on the locked accounts, without writing them.

    For a writer that books the transfer and its entries in one statement (`redemption_create` on
    PostgreSQL): the same entries `post` would append, with the accounts' new balance, count and
    last hash set on the `locked` objects.
    """
    out = []
    for account_id, amount in ((transfer.source_id, -transfer.amount), (transfer.target_id, transfer.amount)):
        account = locked[account_id]
        entry = Entry(account=account, transfer=transfer, seq=account.last_seq + 1, amount=amount,
                      balance_after=account.balance + amount, at=at, prev_hash=account.last_hash)
        entry.hash = entry.compute_hash(transfer)
        account.balance, account.last_seq, account.last_hash = entry.balance_after, entry.seq, entry.hash
        out.append((account, entry))
    return out


# --- verification -------------------------------------------------------------------------------

@dataclass
class Report:
    checked: int = 0
    accounts: int = 0
    total: int = 0
    first_bad: str = ""

    @property
    def ok(self) -> bool:
        return not self.first_bad

    def note(self, problem: str) -> None:
        """Keep the first problem found: the walk goes on counting, but says where the ledger first broke."""
        if problem and not self.first_bad:
            self.first_bad = problem


def verify() -> Report:
    """Walk every account's chain; check hashes, links, running balances, cached balances, zero sum."""
    report = Report()
    current, running, prev, seq = None, 0, GENESIS, 0
    accounts = {a.pk: a for a in Account.objects.all()}
    report.accounts = len(accounts)
    seen = set()
    for entry in Entry.objects.select_related("transfer").order_by("account_id", "seq").iterator(chunk_size=2000):
        if entry.account_id != current:
            if current is not None:
                report.note(_closing_problem(current, accounts.get(current), running, prev, seq))
                seen.add(current)
            current, running, prev, seq = entry.account_id, 0, GENESIS, 0
        report.checked += 1
        running += entry.amount
        problem = _entry_problem(entry, running, prev, seq)
        if problem:
            report.note(f"分录 #{entry.pk}（账户 {entry.account_id} 第 {entry.seq} 笔）：{problem}")
        prev, seq = entry.hash, entry.seq
    if current is not None:
        report.note(_closing_problem(current, accounts.get(current), running, prev, seq))
        seen.add(current)
    for account_id, account in accounts.items():
        if account_id not in seen and (account.balance or account.last_seq):
            report.note(f"账户 {account_id}（{account}）没有分录却有余额或分录数")
    report.total = Account.objects.aggregate(s=Sum("balance"))["s"] or 0
    report.note(_sum_problem(report.total))
    return report


def _entry_problem(entry, running: int, prev: str, seq: int) -> str:
    """What is wrong with one entry, given the running balance (with it), hash and number before it."""
    if entry.seq != seq + 1:
        return f"序号应为 {seq + 1}，实为 {entry.seq}"
    if entry.prev_hash != prev:
        return "前笔哈希与上一条分录不符"
    if entry.compute_hash(entry.transfer) != entry.hash:
        return "内容与哈希不符（分录或转账被改动）"
    if entry.balance_after != running:
        return f"余额应为 {running}，实为 {entry.balance_after}"
    return ""


def _closing_problem(account_id, account, running: int, prev: str, seq: int) -> str:
    """Whether an account's cached balance, last hash and count agree with the end of its chain."""
    if account is None:
        return ""
    if account.balance != running:
        return f"账户 {account_id}（{account}）缓存余额 {account.balance} 与分录合计 {running} 不符"
    if account.last_hash != prev or account.last_seq != seq:
        return f"账户 {account_id}（{account}）末笔哈希或分录数与分录链不符（可能有分录被删除）"
    return ""


def _sum_problem(total: int) -> str:
    """Double entry: all accounts, all entries and each transfer sum to zero."""
    entries_total = Entry.objects.aggregate(s=Sum("amount"))["s"] or 0
    unbalanced = (Entry.objects.values("transfer_id").annotate(s=Sum("amount")).exclude(s=0)
                  .order_by("transfer_id").first())
    if total != 0 or entries_total != 0:
        return f"全部账户合计应为 0，实为 {total}（分录合计 {entries_total}）"
    if unbalanced:
        return f"转账 #{unbalanced['transfer_id']} 借贷不平"
    return ""
