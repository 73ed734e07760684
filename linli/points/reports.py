"""The four points reports, shared by the pages, the Excel exports and the API."""

from linli.points import excel, selectors

REPORTS = {
    "households": "家庭积分合计",
    "rankings": "小区积分排名",
    "civilised": "文明户候选",
    "party": "党员积分（民主评议）",
}


def report_data(actor, kind, filters):
    if kind == "households":
        return excel.HOUSEHOLD_HEADERS, selectors.household_totals(actor=actor, filters=filters), excel.household_rows
    if kind == "rankings":
        return excel.RANKING_HEADERS, selectors.rankings(actor=actor, filters=filters), excel.ranking_rows
    if kind == "civilised":
        return excel.CIVILISED_HEADERS, selectors.civilised_candidates(actor=actor, filters=filters), \
            excel.civilised_rows
    return excel.PARTY_HEADERS, selectors.party_member_points(actor=actor, filters=filters), excel.party_rows
