"""Demo community work, in Longxiang's 皂林村: the 翔和促进会's mediators with a few
cases (003, 004), hazards found by the owners' committee's grid heads, one of them
overdue (001, 004), and the new residents' service team's activities, points and a
"shares + points" dividend (002, 003)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.application import Gongzhi
from domain.context import CommandResult

Run = Callable[..., CommandResult]
GRIDS = ("第一网格", "第二网格", "第三网格", "第四网格")

CASES = [
    (
        "neighbour",
        "两户因楼道堆物和排水沟堵塞发生争执",
        "2015-03-02",
        "agreement",
        "双方同意清理堆物、共同疏通排水沟",
    ),
    ("labour", "新居民务工人员与经营户因工资结算发生纠纷", "2015-06-11", "agreement", "经营户分两次结清工资"),
    ("property", "出租房屋押金退还纠纷", "2015-09-20", "failure", "referred"),
    ("family", "老人赡养费用分担纠纷", "2016-01-08", "withdrawal", None),
    ("land", "宅基地边界争议", "2016-04-15", None, None),
]
HAZARDS = [
    ("fire", "皂林村12幢楼道", "楼道堆放杂物、电动车违规充电", "2016-05-03", "2016-05-10", True),
    ("electrical", "皂林村出租房B区", "私拉乱接电线", "2016-05-04", "2016-05-12", True),
    ("gas", "皂林村菜场东侧餐饮店", "液化气钢瓶与灶具间距不足", "2016-05-06", "2016-05-20", None),
    ("fire", "皂林村3号出租房", "缺少灭火器和逃生指示", "2016-05-08", "2016-05-15", False),
]
ACTIVITIES = [("垃圾分类宣传", "environment", "2016-03-05"), ("敬老院探访", "elderly_care", "2016-04-10")]


def load_community(
    app: Gongzhi, run: Run, village: str, units: dict[str, UUID], people: dict[str, list[UUID]]
) -> dict[str, UUID]:
    society, owners, team = units["mediation_society"], units["owners_committee"], units["service_team"]
    _mediation(app, run, society, people["mediators"], people["residents"])
    _hazards(app, run, owners, village, people["grid_heads"])
    dividend = _volunteering(app, run, team, people["team"])
    return {
        "mediation_society": society,
        "owners_committee": owners,
        "service_team": team,
        "dividend": dividend,
    }


def _mediation(app: Gongzhi, run: Run, society: UUID, mediators: list[UUID], residents: list[UUID]) -> None:
    for n, (category, summary, received_on, ending, outcome) in enumerate(CASES):
        parties = residents[2 * n : 2 * n + 2]
        case = run(app.receive_mediation_case, society, category, summary, parties, received_on).id
        if ending == "withdrawal":
            run(app.withdraw_mediation_case, case, "当事人自行协商解决,撤回申请", received_on)
            continue
        run(app.assign_mediator, case, mediators[n % len(mediators)])
        run(app.hold_mediation_session, case, received_on, "听取双方陈述,释法说理")
        if ending == "agreement":
            run(app.sign_agreement, case, outcome, received_on)
        elif ending == "failure":
            run(app.record_mediation_failure, case, "双方分歧较大,调解未成", "桐乡市人民法院", received_on)


def _hazards(app: Gongzhi, run: Run, owners: UUID, village: str, grid_heads: list[UUID]) -> None:
    for n, (category, location, description, found_on, due_on, passes) in enumerate(HAZARDS):
        head = grid_heads[n % len(grid_heads)]
        where = f"{village}/{GRIDS[n % len(GRIDS)]}"
        hazard = run(app.report_hazard, owners, where, category, location, description, found_on, head).id
        run(app.assign_hazard, hazard, head, due_on)
        if passes is None:
            continue  # still open past its due date: overdue
        run(app.rectify_hazard, hazard, "已整改", due_on)
        run(app.verify_hazard, hazard, passes, "复查" + ("合格" if passes else "仍有隐患"), due_on)


def _volunteering(app: Gongzhi, run: Run, team: UUID, members: list[UUID]) -> UUID:
    for n, (title, category, held_on) in enumerate(ACTIVITIES):
        activity = run(app.hold_activity, team, title, category, held_on).id
        for volunteer in members[n : n + 6]:
            service = run(app.record_service, activity, volunteer, 120, actor="demo:clerk")
            run(app.confirm_service, activity, UUID(service.extra["service_id"]), actor="demo:secretary")
    run(app.adjust_points, team, members[0], 20, "civilised_family", "评为文明家庭")
    run(app.adjust_points, team, members[1], 10, "tidy_yard", "美丽庭院")
    run(app.adjust_points, team, members[2], -15, "illegal_building", "违章搭建未拆除")
    run(app.redeem_points, team, members[3], 10, "洗衣液一瓶")
    return run(app.declare_dividend, team, 1_781_600, 0.4).id
