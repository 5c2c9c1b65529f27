"""Two real engine runs to fold through the ledger: month 1 (Feb 2025) then month 2.

Partner 7 earns 250.00 on cus_a in February: paid out at once (vmcpo_7_2025-02). In
March cus_a's February invoice is half credited: the frozen line stays, 125.00 is
unrecovered (R17). Partner 8's February lines (cus_b 100.00, cus_c 50.00) are below the
200.00 minimum and wait; in March cus_b's is replaced (half credited), cus_c's voided
(fully credited), and cus_b's February and March lines make vmcpo_8_2025-03. Partner 9
is paid 250.00 on cus_d in February; an extra February invoice paid in March makes an
R17 adjustment line (found 2025-03) of 200.00 (450.00 at the bonus rate - 250.00),
paid in vmcpo_9_2025-03.
"""

from __future__ import annotations

from dataclasses import replace

from sync.domain.decisions import Decisions, LedgerState
from sync.domain.inputs import Inputs, Invoice, Quarantined
from tests.engine.builders import inputs, invoice, line, month_bounds, partner, registration, run

MONTH1_AS_OF = "2025-03-01"
MONTH2_AS_OF = "2025-04-01"
PAYOUT_7 = "vmcpo_7_2025-02"
PAYOUT_8 = "vmcpo_8_2025-03"
LINE_A_FEB = "vmcl_7_cus_a_2025-02_recurring"
LINE_B_FEB = "vmcl_8_cus_b_2025-02_recurring"
LINE_C_FEB = "vmcl_8_cus_c_2025-02_recurring"
QUARANTINED = Quarantined("stripe", "invoice", "in_bad", "currency", "unknown currency", "xyz")


def _invoice(customer: str, month: str, amount: int, credited: int = 0) -> Invoice:
    return invoice(customer, f"{month}-01T09:00:00",
                   [line(amount, *month_bounds(month), item=f"si_{customer}",
                         sub=f"sub_{customer}")],
                   credited=credited, iid=f"in_{customer}_{month}")


def _inputs(invoices: list[Invoice]) -> Inputs:
    data = inputs(
        [partner("7"), partner("8"), partner("9")],
        [registration("1", "cus_a", "7", "2025-01-05"),
         registration("2", "cus_b", "8", "2025-01-05"),
         registration("3", "cus_c", "8", "2025-01-05"),
         registration("4", "cus_d", "9", "2025-01-05")],
        ["cus_a", "cus_b", "cus_c", "cus_d"], invoices)
    return replace(data, quarantined=(QUARANTINED,))


def month1(ledger: LedgerState | None = None, cus_b_feb: int = 40000) -> Decisions:
    return run(_inputs([_invoice("cus_a", "2025-02", 100000),
                        _invoice("cus_b", "2025-02", cus_b_feb),
                        _invoice("cus_c", "2025-02", 20000), _invoice("cus_d", "2025-02", 100000)]),
               MONTH1_AS_OF, ledger)


def month2(ledger: LedgerState) -> Decisions:
    return run(_inputs([
        _invoice("cus_a", "2025-02", 100000, credited=50000),
        _invoice("cus_a", "2025-03", 100000),
        _invoice("cus_b", "2025-02", 40000, credited=20000),
        _invoice("cus_b", "2025-03", 80000),
        _invoice("cus_c", "2025-02", 20000, credited=20000),
        _invoice("cus_d", "2025-02", 100000),
        invoice("cus_d", "2025-03-10T09:00:00",
                [line(50000, *month_bounds("2025-02"), item="si_cus_d2", sub="sub_cus_d")],
                iid="in_cus_d_extra"),
    ]), MONTH2_AS_OF, ledger)

LINE_D_ADJ = "vmcl_9_cus_d_2025-02_adjustment_2025-03"
