"""吹哨报到 in the browser (issue #16 part 1): an owner reports a problem on a phone (360×740)
with a photo; the committee whistles it to the district; an official dispatches it to 城管; 城管's
staff, who land on their list after logging in, report for duty and resolve it with a note; the
reporter sees each step and rates it; the screens in English too. Each page is checked by the
watch (console, CSP, axe) of tests/web/conftest.py."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, Demo, log_in

CHENGGUAN = "13800000011"


def _photo(tmp: Any) -> str:
    path = tmp / "site.jpg"
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), "orange").save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def _step(page: Any, name: str, note: str | None = None) -> None:
    step = page.locator("details.step").filter(has=page.locator("summary", has_text=name))
    step.locator("summary").click()
    if note is not None:
        step.get_by_label("说明").fill(note)
    step.locator("button[type=submit]").click()


def test_an_owner_reports_on_a_phone_and_the_district_closes_it(
    new_page: Any, demo: Demo, tmp_path: Any
) -> None:
    owner = demo.login("owner", "one unit")
    phone = new_page(360, 740)
    log_in(phone, owner.phone)
    phone.goto("/#/complaints")
    expect(phone.locator("h1")).to_have_text("我的投诉")
    phone.get_by_role("link", name="我要投诉").first.click()
    expect(phone.locator("h1")).to_contain_text("的投诉")
    form = phone.locator("form.complaint-form")
    if not form.is_visible():
        phone.locator("details.new-complaint summary").click()
    form.get_by_label("类别").select_option("wiring")
    form.get_by_label("问题描述").fill("地下车库有人私拉电线给电动车充电 <b>危险</b>")
    form.get_by_label("地点").fill("地下车库B区")
    form.get_by_label("照片").set_input_files(_photo(tmp_path))
    expect(form.get_by_label("允许邻居看到是我反映的")).not_to_be_checked()
    form.get_by_role("button", name="提交投诉").click()
    expect(phone.locator("section.complaint")).to_have_attribute("data-state", "REPORTED")
    expect(phone.locator(".complaint-text")).to_have_text(
        "地下车库有人私拉电线给电动车充电 <b>危险</b>"
    )
    expect(phone.locator(".complaint-photos img")).to_have_count(1)
    cid = re.search(r"#/complaint/(\d+)", phone.url)[1]  # type: ignore[index]
    phone.screenshot(path=str(SCREENSHOTS / "complaint-owner-phone.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the complaint page scrolls sideways on a phone ({width}px)"

    committee = new_page()
    log_in(committee, "13800000002")
    committee.goto(f"/#/complaint/{cid}")
    expect(committee.locator("dl.facts")).to_contain_text("（不公开）")  # not the reporter's name
    _step(committee, "吹哨（交街道）")
    expect(committee.locator("section.complaint")).to_have_attribute("data-state", "WHISTLED")

    official = new_page()
    log_in(official, "13800000001")
    official.goto(f"/#/complaint/{cid}")
    expect(official.locator("dl.facts")).to_contain_text(owner.name)  # officials see who
    step = official.locator("details.step").filter(has=official.locator("summary", has_text="派单"))
    step.locator("summary").click()
    step.get_by_label("城管").check()
    step.locator("button[type=submit]").click()
    expect(official.locator("section.complaint")).to_have_attribute("data-state", "DISPATCHED")

    dept = new_page(360, 740)
    dept.goto("/#/login")
    dept.get_by_label("手机号").fill(CHENGGUAN)
    dept.get_by_label("密码", exact=True).fill("gongzhi-demo")
    dept.locator("form button[type=submit]").click()
    expect(dept.locator("h1")).to_have_text("派给本部门的投诉")
    dept.locator(f"[data-complaint='{cid}'] a").click()
    expect(dept.locator("dl.facts")).to_contain_text("（不公开）")
    _step(dept, "报到（接单）")
    expect(dept.locator("[data-department] .chip").first).to_have_text("已报到，办理中")
    _step(dept, "办结", note="电线已拆除，已告知物业加装充电桩")
    expect(dept.locator("section.complaint")).to_have_attribute("data-state", "CLOSED")

    # the reporter's open page followed every step live
    expect(phone.locator("section.complaint")).to_have_attribute("data-state", "CLOSED")
    rate = phone.locator("details.step").filter(has=phone.locator("summary", has_text="评价"))
    rate.locator("summary").click()
    rate.get_by_label("满意度").select_option("4")
    rate.locator("button[type=submit]").click()
    expect(phone.locator("dl.facts")).to_contain_text("★★★★")
    expect(phone.locator(".history li")).to_have_count(
        6
    )  # report, whistle, dispatch, 报到, 办结, 评价


def test_the_district_list_in_english(new_page: Any, demo: Demo) -> None:
    page = new_page()
    log_in(page, "13800000001")
    page.evaluate("localStorage.setItem('gz.lang', 'en')")
    page.goto("/#/complaints?open=1")
    page.reload()
    expect(page.locator("h1")).to_have_text("District complaints (whistle and report)")
    expect(page.locator(".complaint-item").first).to_be_visible()
    expect(page.locator(".chip.warn").first).to_have_text("overdue")


def test_an_official_creates_a_department_and_appoints_its_staff(new_page: Any, demo: Demo) -> None:
    page = new_page()
    log_in(page, "13800000001")
    page.goto("/#/complaints")
    expect(page.locator("h1")).to_have_text("辖区投诉（吹哨报到）")
    panel = page.locator("details.departments")
    panel.locator("summary").click()
    expect(panel.locator(".department-list li")).to_have_count(5)
    create = panel.locator("form").first
    create.get_by_label("部门名称（如 城管、住建、消防）").fill("应急管理")
    create.get_by_label("理由").fill("防汛联动")
    create.get_by_role("button", name="新建部门").click()
    expect(panel.locator(".department-list li")).to_have_count(6)
    grant = panel.locator("form").nth(1)
    grant.get_by_label("部门").select_option(label="应急管理")
    grant.get_by_label("手机号").fill("13800000099")
    grant.get_by_label("姓名").fill("应急 冯干事")
    grant.get_by_label("理由").fill("联络员")
    grant.get_by_role("button", name="任命部门工作人员").click()
    expect(grant.get_by_role("status")).to_contain_text("激活码")
