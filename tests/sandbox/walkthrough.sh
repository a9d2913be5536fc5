#!/usr/bin/env bash
# The README's curl walkthrough ("Walk the API with curl") as one script:
#
#   aktiver-sim serve &                      # in another terminal
#   tests/sandbox/walkthrough.sh code_unit   # or activation_code, id_check
#
# Needs curl, jq, openssl and aktiver-sim on PATH (or AKTIVER_SIM=path).
# Every request pins the server key; every POST/DELETE has its own
# Idempotency-Key. Prints each answer.
set -euo pipefail
METHOD="${1:-code_unit}"
SIM="${AKTIVER_SIM:-aktiver-sim}"
URL="${URL:-https://127.0.0.1:8443}"
DB="${DB:-aktiver-sandbox.sqlite}"
CERT="${DB%.sqlite}.cert.pem"
NIN="${NIN:-15859010099}"        # the demo person: every method, a code unit, a password
PHONE="${PHONE:-+4791234567}"
PASSWORD="${PASSWORD:-Fjord9Lyng4}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# 1. The pin: SHA-256 of the server's SubjectPublicKeyInfo (serve prints it too).
PIN="$(openssl x509 -in "$CERT" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64)"
get() { curl -sS --fail-with-body --cacert "$CERT" --pinnedpubkey "sha256//$PIN" "$URL$1"; }
post() {
  curl -sS --fail-with-body --cacert "$CERT" --pinnedpubkey "sha256//$PIN" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: $(openssl rand -hex 16)" \
    -X POST "$URL$1" -d "${2:-{\}}"
}
show() { echo "== $1"; jq -c . <<<"$2"; }

# 2. Start a session, give the phone, read the SMS code from the sandbox inbox.
R="$(post /v1/sessions "{\"national_id\":\"$NIN\"}")"; show "start" "$R"
S="$(jq -r .session_id <<<"$R")"
show "phone" "$(post "/v1/sessions/$S/phone" "{\"phone\":\"$PHONE\"}")"
CODE="$(get "/v1/sandbox/sms?phone=%2B${PHONE#+}" | jq -r '.messages[0].code')"
show "verify sms" "$(post "/v1/sessions/$S/sms/verify" "{\"code\":\"$CODE\"}")"

# 3. Qualify with the chosen method.
show "method" "$(post "/v1/sessions/$S/method" "{\"method\":\"$METHOD\"}")"
case "$METHOD" in
  code_unit)
    OTP="$("$SIM" otp --person "$NIN")"
    show "code unit" "$(post "/v1/sessions/$S/code-unit" "{\"otp\":\"$OTP\",\"password\":\"$PASSWORD\"}")"
    ;;
  activation_code)
    AC="$(post /v1/sandbox/activation-code "{\"national_id\":\"$NIN\"}" | jq -r .code)"
    show "activation code" "$(post "/v1/sessions/$S/activation-code" "{\"code\":\"$AC\"}")"
    ;;
  id_check)
    HASH="$("$SIM" chip evidence --person "$NIN" --portrait-hash)"
    post /v1/sandbox/face-check "{\"session_id\":\"$S\",\"portrait_sha256_b64\":\"$HASH\"}" >"$WORK/verdict.json"
    CH="$(post "/v1/sessions/$S/challenge" | jq -r .challenge_b64)"
    "$SIM" chip evidence --person "$NIN" --challenge "$CH" --face-verdict "$WORK/verdict.json" >"$WORK/evidence.json"
    show "id check" "$(post "/v1/sessions/$S/id-check" "@$WORK/evidence.json")"
    ;;
  *) echo "method: code_unit, activation_code or id_check" >&2; exit 2 ;;
esac

# 4. Bind a device key: a P-256 key signs the server's 32-byte challenge.
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/device.pem" 2>/dev/null
SPKI="$(openssl pkey -in "$WORK/device.pem" -pubout -outform DER | base64 -w0)"
CH="$(post "/v1/sessions/$S/challenge" | jq -r .challenge_b64)"
SIG="$(base64 -d <<<"$CH" | openssl dgst -sha256 -sign "$WORK/device.pem" | base64 -w0)"
show "device" "$(post "/v1/sessions/$S/device" "{\"public_key_spki_b64\":\"$SPKI\",\"signature_b64\":\"$SIG\"}")"

# 5. Optional: a push token. Then sign the agreement (device key over the
#    text's SHA-256) with the password.
show "push token" "$(post "/v1/sessions/$S/push-token" '{"platform":"fcm","token":"walkthrough-token"}')"
A="$(get /v1/agreement)"
SIG="$(jq -r .sha256_b64 <<<"$A" | base64 -d | openssl dgst -sha256 -sign "$WORK/device.pem" | base64 -w0)"
show "agreement" "$(post "/v1/sessions/$S/agreement" \
  "{\"agreement_id\":\"$(jq -r .id <<<"$A")\",\"signature_b64\":\"$SIG\",\"password\":\"$PASSWORD\"}")"
