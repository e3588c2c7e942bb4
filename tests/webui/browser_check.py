"""Drives the web UI of a running `pantry serve` in headless Chromium.

Storefront: picks a suggested shopper, clicks "Add to cart" on six healthy
products from the catalogue and waits for the recommendations to re-rank;
the list must change and its mean health index must rise. Console: looks up
the shopper's record, runs the default SQL query and sees rows. The browser
console must have no errors. Screenshots go to --out. Prints one JSON line
with what it saw; exits non-zero (with the reason on stderr) on failure.

With --token, the storefront must ask for the token (once: the console,
opened next in the same tab, must not ask again).

Usage: browser_check.py --url http://127.0.0.1:PORT --out DIR [--token T] [--exclude ID]
"""
import argparse
import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WIDTH = 1400


def fail(message):
    print("browser_check: " + message, file=sys.stderr)
    sys.exit(1)


def start_browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=%d,1000" % WIDTH, "--hide-scrollbars"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for(driver, what, predicate, seconds=15, details=None):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: predicate(d))
    except TimeoutException:
        extra = details() if details else ""
        fail("timed out after %ss waiting for %s %s" % (seconds, what, extra))


def cards(driver, selector):
    """(product id, health) of each card, read in one round trip."""
    return [(p, float(h)) for p, h in driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map("
        "c => [c.dataset.product, c.dataset.health])", selector)]


def recommendations(driver):
    return cards(driver, "#recs li.card")


def mean(items):
    return sum(h for _, h in items) / len(items) if items else 0.0


def screenshot(driver, path, width=WIDTH):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 800), 1600))
    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)
    driver.save_screenshot(path)
    driver.set_window_size(WIDTH, 1000)


def enter_token(driver, token):
    dialog = wait_for(driver, "the token prompt", lambda d: [
        x for x in d.find_elements(By.ID, "token-dialog") if x.get_attribute("open") is not None])
    box = dialog[0].find_element(By.ID, "token-input")
    box.send_keys(token)
    box.submit()


def storefront(driver, url, out, exclude, token):
    driver.get(url + "/")
    if token:
        enter_token(driver, token)
    buttons = wait_for(driver, "suggested shoppers", lambda d: [
        b for b in d.find_elements(By.CSS_SELECTOR, "#suggested button.choice")
        if b.get_attribute("data-customer") not in exclude])
    customer = buttons[0].get_attribute("data-customer")
    buttons[0].click()
    before = wait_for(driver, "the first recommendations",
                      lambda d: len(recommendations(d)) >= 5 and recommendations(d))
    wait_for(driver, "the URL to name the customer",
             lambda d: ("customer=" + customer) in d.current_url)
    screenshot(driver, os.path.join(out, "storefront-before.png"))
    # The healthy part of the catalogue.
    Select(driver.find_element(By.ID, "catalog-health")).select_by_value("healthy")
    healthy = wait_for(driver, "healthy products in the catalogue", lambda d: (
        lambda shown: shown if shown and all(h >= 0.7 for _, h in shown) else None)(
            cards(d, "#catalog li.card")))
    products = driver.find_elements(By.CSS_SELECTOR, "#catalog li.card")[:len(healthy)]
    if len(products) < 6:
        fail("only %d healthy products in the catalogue" % len(products))
    for product in products[:6]:
        button = product.find_element(By.CSS_SELECTOR, "button[data-activity=added_to_cart]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        wait_for(driver, "the click to be recorded", lambda d: "done" in button.get_attribute("class"))
    log = driver.find_elements(By.CSS_SELECTOR, "#activity-log li")
    if len(log) != 6:
        fail("activity log shows %d clicks, expected 6" % len(log))
    after = wait_for(driver, "the recommendations to re-rank toward healthy products", lambda d: (
        lambda now: now if [p for p, _ in now] != [p for p, _ in before] and
        mean(now) > mean(before) else None)(recommendations(d)), seconds=20,
        details=lambda: "(before %s, now %s, live %s, status %r)" % (
            before, recommendations(driver), driver.find_element(By.ID, "live").text,
            driver.find_element(By.ID, "recs-status").text))
    moves = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#recs .move")]
    driver.execute_script("window.scrollTo(0, 0)")
    screenshot(driver, os.path.join(out, "storefront-after.png"))
    screenshot(driver, os.path.join(out, "storefront-phone.png"), width=420)
    return {"customer": customer, "before": before, "after": after,
            "mean_before": mean(before), "mean_after": mean(after), "moves": moves}


def console(driver, url, out, customer):
    driver.get(url + "/console")
    if driver.find_element(By.ID, "token-dialog").get_attribute("open") is not None:
        fail("the console asked for the token again")
    wait_for(driver, "the feature groups table",
             lambda d: len(d.find_elements(By.CSS_SELECTOR, "#groups tbody tr")) >= 4)
    Select(driver.find_element(By.ID, "record-group")).select_by_value("customers")
    box = driver.find_element(By.ID, "record-id")
    box.clear()
    box.send_keys(customer)
    driver.find_element(By.CSS_SELECTOR, "#record-form button[type=submit]").click()
    online = wait_for(driver, "the record's online value", lambda d: [
        r.text for r in d.find_elements(By.CSS_SELECTOR, "#record-online tbody tr")])
    history = wait_for(driver, "the record's offline history", lambda d: [
        r.text for r in d.find_elements(By.CSS_SELECTOR, "#record-history tbody tr")])
    if not any(customer in row for row in online):
        fail("online value does not show %s: %s" % (customer, online))
    driver.find_element(By.ID, "sql-run").click()
    rows = wait_for(driver, "SQL result rows", lambda d: [
        r.text for r in d.find_elements(By.CSS_SELECTOR, "#sql-result tbody tr")])
    wait_for(driver, "the processors table",
             lambda d: d.find_elements(By.CSS_SELECTOR, "#streams tbody tr"))
    # Each spec's open windows: the shopper's clicks opened at least one.
    open_windows = driver.execute_script(
        "const t = document.querySelector('#streams table');"
        "const i = [...t.querySelectorAll('th')].findIndex(h => h.textContent === 'open windows');"
        "return [...t.querySelectorAll('tbody tr')].map(r => Number(r.cells[i].textContent));")
    wait_for(driver, "the models table", lambda d: d.find_elements(By.CSS_SELECTOR, "#models tbody tr"))
    time.sleep(4.2)  # two metrics samples, so the charts have a line
    screenshot(driver, os.path.join(out, "console.png"))
    return {"online_rows": len(online), "history_rows": len(history), "sql_rows": len(rows),
            "sql_first_row": rows[0], "open_windows": open_windows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--token", default="")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    driver = start_browser()
    try:
        seen = {"storefront": storefront(driver, args.url, args.out, set(args.exclude),
                                        args.token)}
        seen["console"] = console(driver, args.url, args.out, seen["storefront"]["customer"])
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        seen["console_errors"] = [e.get("message") for e in errors]
    finally:
        driver.quit()
    print(json.dumps(seen))
    if seen["console_errors"]:
        fail("browser console errors: %s" % seen["console_errors"])
    s = seen["storefront"]
    if not s["mean_after"] > s["mean_before"]:
        fail("mean health did not rise: %.3f -> %.3f" % (s["mean_before"], s["mean_after"]))


if __name__ == "__main__":
    main()
