#!/usr/bin/python3
# tests/login_browser.py: drives headless Chromium through the login flow (TAP output).
# Usage: login_browser.py PORT ARTIFACT_DIR USERDATA_DIR
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

port, artifacts, userdata = sys.argv[1], sys.argv[2], sys.argv[3]
APP1 = "http://app1.gk.test:%s" % port
APP2 = "http://app2.gk.test:%s" % port
n = 0
failed = 0


def ok(cond, desc, detail=None):
    global n, failed
    n += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, desc))
    if not cond:
        failed += 1
        if detail is not None:
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--user-data-dir=" + userdata,
          "--host-resolver-rules=MAP *.gk.test 127.0.0.1", "--window-size=1024,768"):
    opts.add_argument(a)
try:
    drv = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=opts)
except WebDriverException as e:
    print("Bail out! cannot start Chromium: %s" % e.msg)
    sys.exit(99)
drv.set_page_load_timeout(20)
wait = WebDriverWait(drv, 10)


def shot(name):
    path = "%s/%s.png" % (artifacts, name)
    drv.save_screenshot(path)
    print("# screenshot %s" % path)


def on_login_page():
    try:
        wait.until(EC.presence_of_element_located((By.ID, "gk-password")))
        return True
    except Exception:
        return False


def sign_in(user, password):
    drv.find_element(By.ID, "gk-user").clear()
    drv.find_element(By.ID, "gk-user").send_keys(user)
    drv.find_element(By.ID, "gk-password").send_keys(password)
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


try:
    # 1. A protected URL sends the browser to the login page, carrying the way back.
    drv.get(APP1 + "/protected/page?x=1")
    ok(on_login_page(), "protected URL redirects to the login page", drv.current_url)
    ok(drv.current_url.startswith(APP1 + "/gatekeep/login?rd="), "login URL carries rd",
       drv.current_url)
    ok(drv.title.startswith("Sign in"), "page title", drv.title)
    ok(drv.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "lang attribute")
    ok(drv.find_element(By.CSS_SELECTOR, "label[for=gk-user]").text == "User name", "labelled field")
    ok(drv.switch_to.active_element.get_attribute("id") == "gk-user", "user field has focus")
    ok(len(drv.find_elements(By.TAG_NAME, "script")) == 0, "no JavaScript on the page")
    shot("login-page")

    # 2. Wrong password: the generic error, announced.
    sign_in("alice", "wrong horse")
    ok(on_login_page(), "wrong password: back on the form")
    errs = drv.find_elements(By.CSS_SELECTOR, "[role=alert]")
    ok(len(errs) == 1 and errs[0].text == "Incorrect user name or password.", "generic error shown",
       [e.text for e in errs])
    ok(drv.find_element(By.ID, "gk-user").get_attribute("value") == "alice", "user name kept")
    ok(drv.find_element(By.ID, "gk-password").get_attribute("aria-describedby") == "gk-error",
       "fields point at the error (aria-describedby)")
    shot("login-error")

    # 3. Right password: back where we started, greeted by name.
    drv.find_element(By.ID, "gk-password").clear()
    sign_in("alice", "correct horse")
    try:
        wait.until(EC.presence_of_element_located((By.ID, "greeting")))
    except Exception:
        pass
    ok(drv.current_url == APP1 + "/protected/page?x=1", "landed on the protected URL",
       drv.current_url)
    body = drv.find_element(By.TAG_NAME, "body").text
    ok("Hello, Alice Liddell" in body, "greeted by display name", body)
    ok("user=alice" in body, "app got the user", body)
    cookies = {c["name"]: c for c in drv.get_cookies()}
    sess = cookies.get("gatekeep_session")
    ok(sess is not None and sess.get("httpOnly") and sess.get("domain") in (".gk.test", "gk.test"),
       "session cookie: HttpOnly, Domain=gk.test", sess)
    ok("gatekeep_session_csrf" not in cookies, "CSRF cookie gone after login", list(cookies))
    shot("greeted")

    # 4. Another app on a sibling host: no second login (SSO through cookie_domain).
    drv.get(APP2 + "/protected/")
    body = drv.find_element(By.TAG_NAME, "body").text
    ok(drv.current_url == APP2 + "/protected/" and "Hello, Alice Liddell" in body,
       "second app reached without logging in again", drv.current_url + "\n" + body)

    # 5. whoami from the browser.
    drv.get(APP1 + "/gatekeep/whoami")
    body = drv.find_element(By.TAG_NAME, "body").text
    ok('"user":"alice"' in body, "whoami names alice", body)

    # 6. Logout: GET asks, the button signs out.
    drv.get(APP1 + "/gatekeep/logout")
    ok("Signed in as alice" in drv.find_element(By.TAG_NAME, "body").text, "logout page asks")
    ok(drv.get_cookie("gatekeep_session") is not None, "GET logout kept the session")
    shot("logout-confirm")
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    try:
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=status]")))
    except Exception:
        pass
    ok("You have been signed out" in drv.find_element(By.TAG_NAME, "body").text, "signed out",
       drv.find_element(By.TAG_NAME, "body").text)
    ok(drv.get_cookie("gatekeep_session") is None, "session cookie removed")

    # 7. Protected URLs ask again, on both hosts.
    drv.get(APP1 + "/protected/")
    ok(on_login_page(), "after logout, app1 redirects to login again", drv.current_url)
    drv.get(APP2 + "/protected/")
    ok(on_login_page(), "after logout, app2 redirects to login again", drv.current_url)

    # 8. Phone width: nothing wider than 360 px.
    drv.set_window_size(360, 740)
    drv.get(APP1 + "/gatekeep/login")
    on_login_page()
    w = drv.execute_script("return document.documentElement.scrollWidth")
    ok(w <= 360, "login page fits 360 px (scrollWidth %s)" % w)
    shot("login-360px")

    # 9. Password + code: tom has TOTP (enrolled by the test); oathtool computes the code.
    drv.set_window_size(1024, 768)
    drv.delete_all_cookies()
    drv.get(APP1 + "/protected/tom")
    on_login_page()
    sign_in("tom", "tom thumb pw")
    try:
        wait.until(EC.presence_of_element_located((By.ID, "gk-code")))
    except Exception:
        pass
    codes = drv.find_elements(By.ID, "gk-code")
    ok(len(codes) == 1 and codes[0].get_attribute("autocomplete") == "one-time-code",
       "after tom's password: the code field (autocomplete one-time-code)", drv.current_url)
    ok(len(drv.find_elements(By.ID, "gk-password")) == 0, "... not the password again")
    ok(len(drv.find_elements(By.TAG_NAME, "script")) == 0, "... no JavaScript")
    ok(drv.get_cookie("gatekeep_session") is None, "... and no session yet")
    shot("login-code")
    code = subprocess.run(["oathtool", "--totp", "-b", os.environ["GK_TOTP_SECRET"]],
                          capture_output=True, text=True).stdout.strip()
    codes[0].send_keys(code)
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    try:
        wait.until(EC.presence_of_element_located((By.ID, "greeting")))
    except Exception:
        pass
    body = drv.find_element(By.TAG_NAME, "body").text
    ok(drv.current_url == APP1 + "/protected/tom" and "Hello, Tom Thumb" in body,
       "password + code: landed on the protected URL, greeted", drv.current_url + "\n" + body)
except Exception as e:  # a crash is a failure, not a skip
    ok(False, "browser flow raised %s" % type(e).__name__, e)
finally:
    drv.quit()

print("1..%d" % n)
sys.exit(1 if failed else 0)
