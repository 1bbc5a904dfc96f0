#!/usr/bin/python3
# tests/passkeys_browser.py: drives headless Chromium with a virtual authenticator (DevTools
# WebAuthn domain) through the passkey pages (TAP output).
# Usage: passkeys_browser.py PORT ARTIFACT_DIR USERDATA_DIR
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
          "--host-resolver-rules=MAP *.gk.test 127.0.0.1", "--window-size=1024,768",
          # WebAuthn needs a secure context; the test runs plain HTTP on loopback.
          "--unsafely-treat-insecure-origin-as-secure=" + APP1):
    opts.add_argument(a)
try:
    drv = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=opts)
except WebDriverException as e:
    print("Bail out! cannot start Chromium: %s" % e.msg)
    sys.exit(99)
drv.set_page_load_timeout(20)
wait = WebDriverWait(drv, 10)


def shot(name):
    drv.save_screenshot("%s/%s.png" % (artifacts, name))


def body():
    return drv.find_element(By.TAG_NAME, "body").text


def wait_for(by, what):
    try:
        wait.until(EC.presence_of_element_located((by, what)))
        return True
    except Exception:
        return False


def authenticator():
    return drv.execute_cdp_cmd("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})["authenticatorId"]


def next_second():
    # A passkey's challenge must be newer than the last one it answered, in whole seconds
    # (lib/login_passkey.h): the next flow starts in a later second than the last sign-in.
    time.sleep(1.05 - time.time() % 1)


def sign_out():
    next_second()
    drv.get(APP1 + "/gatekeep/logout")
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(By.CSS_SELECTOR, "[role=status]")
    return drv.get_cookie("gatekeep_session") is None


def password(user, pw):
    drv.find_element(By.ID, "gk-user").send_keys(user)
    drv.find_element(By.ID, "gk-password").send_keys(pw)
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def at_app():
    wait_for(By.ID, "greeting")
    return drv.current_url.startswith(APP1 + "/protected/") and "user=alice" in body()


try:
    drv.execute_cdp_cmd("WebAuthn.enable", {})
    auth1 = authenticator()

    # 1. Password sign-in (no passkey yet: no second step), then the passkeys page.
    drv.get(APP1 + "/protected/")
    wait_for(By.ID, "gk-password")
    password("alice", "correct horse")
    ok(at_app(), "password alone while alice has no passkey", drv.current_url + "\n" + body())
    drv.get(APP1 + "/gatekeep/account/passkeys")
    ok("You have no passkeys yet." in body(), "passkeys page lists none", body())
    ok(len(drv.find_elements(By.TAG_NAME, "script")) == 0, "the list page has no script")

    # 2. Add one: name and password again, then the ceremony.
    drv.find_element(By.ID, "gk-pk-newname").send_keys("laptop")
    drv.find_element(By.ID, "gk-begin-pw").send_keys("correct horse")
    drv.find_element(By.ID, "gk-pk-begin").click()
    ok(wait_for(By.ID, "gk-pk-go"), "password accepted: the ceremony page", body())
    drv.find_element(By.ID, "gk-pk-go").click()
    ok(wait_for(By.ID, "gk-pk-list"), "passkey created and listed", body())
    names = [e.text for e in drv.find_elements(By.CSS_SELECTOR, ".gk-pk-name")]
    ok(names == ["laptop"] and "The passkey was added." in body(), "the list shows laptop", names)
    shot("passkeys-list")
    creds = drv.execute_cdp_cmd("WebAuthn.getCredentials", {"authenticatorId": auth1})["credentials"]
    ok(len(creds) == 1 and creds[0]["isResidentCredential"] and creds[0]["rpId"] == "gk.test",
       "the authenticator holds one discoverable credential for gk.test", creds)

    # 3. Sign out; the password now leads to the passkey step (which starts by itself).
    ok(sign_out(), "signed out")
    drv.get(APP1 + "/protected/")
    wait_for(By.ID, "gk-password")
    password("alice", "correct horse")
    ok(at_app(), "password + passkey reach the app with Remote-User", drv.current_url + "\n" + body())

    # 4. Passwordless: the passkey page, no user name typed.
    ok(sign_out(), "signed out again")
    drv.get(APP1 + "/protected/pk")
    ok(wait_for(By.ID, "gk-passkey"), "the sign-in form offers a passkey", body())
    drv.find_element(By.ID, "gk-passkey").click()
    ok(wait_for(By.ID, "gk-pk-go"), "passkey sign-in page")
    shot("passkey-signin")
    drv.find_element(By.ID, "gk-pk-go").click()
    ok(at_app() and drv.current_url == APP1 + "/protected/pk",
       "passwordless sign-in reaches the app with Remote-User", drv.current_url + "\n" + body())
    before = drv.execute_cdp_cmd("WebAuthn.getCredentials", {"authenticatorId": auth1})["credentials"][0]
    ok(before["signCount"] >= 2, "the authenticator counted its signatures", before["signCount"])

    # 5. A clone with a stale counter (the key copied when it had signed once) is refused.
    ok(sign_out(), "signed out a third time")
    drv.execute_cdp_cmd("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": auth1})
    auth2 = authenticator()
    clone = dict(before)
    clone["signCount"] = 0
    drv.execute_cdp_cmd("WebAuthn.addCredential", {"authenticatorId": auth2, "credential": clone})
    drv.get(APP1 + "/gatekeep/passkey?rd=" + APP1 + "/protected/")
    wait_for(By.ID, "gk-pk-go")
    drv.find_element(By.ID, "gk-pk-go").click()
    ok(wait_for(By.ID, "gk-error") and "could not be used" in body(), "the clone is refused", body())
    ok(drv.get_cookie("gatekeep_session") is None, "and gets no session")
    drv.get(APP1 + "/protected/")
    ok(wait_for(By.ID, "gk-password"), "the app still asks for a sign-in", drv.current_url)

    # 6. The real key again (counter ahead): password + passkey, then remove it on the
    #    passkeys page (wrong password first); afterwards the password alone signs in.
    drv.execute_cdp_cmd("WebAuthn.removeCredential", {"authenticatorId": auth2,
                                                      "credentialId": clone["credentialId"]})
    real = dict(before)
    real["signCount"] = before["signCount"] + 10
    drv.execute_cdp_cmd("WebAuthn.addCredential", {"authenticatorId": auth2, "credential": real})
    next_second()
    password("alice", "correct horse")
    ok(at_app(), "password + passkey with the real key", drv.current_url + "\n" + body())
    drv.get(APP1 + "/gatekeep/account/passkeys")
    drv.find_element(By.ID, "gk-pk-rmname").send_keys("laptop")
    drv.find_element(By.ID, "gk-remove-pw").send_keys("wrong horse")
    drv.find_element(By.CSS_SELECTOR, "#gk-remove-pw ~ button").click()
    ok(wait_for(By.ID, "gk-error") and len(drv.find_elements(By.CSS_SELECTOR, ".gk-pk-name")) == 1,
       "removal with a wrong password refused", body())
    drv.find_element(By.ID, "gk-pk-rmname").send_keys("laptop")
    drv.find_element(By.ID, "gk-remove-pw").send_keys("correct horse")
    drv.find_element(By.CSS_SELECTOR, "#gk-remove-pw ~ button").click()
    ok(wait_for(By.ID, "gk-note") and "You have no passkeys yet." in body(), "passkey removed", body())
    ok(sign_out(), "signed out a fourth time")
    drv.get(APP1 + "/protected/")
    wait_for(By.ID, "gk-password")
    password("alice", "correct horse")
    ok(at_app(), "without a passkey the password alone signs in", drv.current_url + "\n" + body())
except Exception as e:
    ok(False, "driver: %s" % type(e).__name__, e)
finally:
    drv.quit()
print("1..%d" % n)
sys.exit(1 if failed else 0)
