// Passkeys (WebAuthn): adding one on the account pages, and using one at sign-in. Loaded only on
// those pages, as:
//   <script type="module" src="/static/peerdiag/passkeys.js"></script>
//
// The page holds the server's options as JSON (<script type="application/json"
// id="passkey-options">, from py_webauthn's options_to_json) and a form marked
// data-passkey-form="create" or "get" with a hidden "credential" field. On submit we ask the
// browser for the passkey, put its answer (as JSON, binary fields in base64url) in the field and
// send the form; the server checks it. Without JavaScript or WebAuthn the passkey parts stay
// hidden and the page's other way (an authenticator app, a recovery code) still works.

function base64urlToBuffer(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes.buffer;
}

function bufferToBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function withBufferIds(descriptors) {
  return (descriptors || []).map((d) => ({ ...d, id: base64urlToBuffer(d.id) }));
}

function creationOptions(json) {
  return {
    ...json,
    challenge: base64urlToBuffer(json.challenge),
    user: { ...json.user, id: base64urlToBuffer(json.user.id) },
    excludeCredentials: withBufferIds(json.excludeCredentials),
  };
}

function requestOptions(json) {
  return {
    ...json,
    challenge: base64urlToBuffer(json.challenge),
    allowCredentials: withBufferIds(json.allowCredentials),
  };
}

function createdToJSON(credential) {
  const response = credential.response;
  return {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: bufferToBase64url(response.clientDataJSON),
      attestationObject: bufferToBase64url(response.attestationObject),
      transports: typeof response.getTransports === "function" ? response.getTransports() : [],
    },
  };
}

function assertionToJSON(credential) {
  const response = credential.response;
  return {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: bufferToBase64url(response.clientDataJSON),
      authenticatorData: bufferToBase64url(response.authenticatorData),
      signature: bufferToBase64url(response.signature),
      userHandle: response.userHandle ? bufferToBase64url(response.userHandle) : undefined,
    },
  };
}

function problem(error, kind) {
  if (error?.name === "NotAllowedError" || error?.name === "AbortError") {
    return kind === "create"
      ? "The passkey was not added. Try again when you are ready"
      : "The passkey was not used. Try again, or use another way to sign in";
  }
  if (error?.name === "InvalidStateError" && kind === "create") {
    return "This device or security key already has a passkey for peerdiag";
  }
  return kind === "create"
    ? "Your browser could not make a passkey. Try again, or use an authenticator app instead"
    : "Your browser could not use your passkey. Try again, or use another way to sign in";
}

function showError(section, message) {
  const box = section.querySelector("[data-passkey-error]");
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
}

function start() {
  const supported =
    typeof window.PublicKeyCredential === "function" && navigator.credentials !== undefined;
  const optionsElement = document.getElementById("passkey-options");
  if (!supported || !optionsElement) {
    return;
  }
  const options = JSON.parse(optionsElement.textContent);
  for (const note of document.querySelectorAll("[data-passkey-unsupported]")) {
    note.hidden = true;
  }
  for (const section of document.querySelectorAll("[data-passkey-section]")) {
    section.hidden = false;
    const form = section.querySelector("form[data-passkey-form]");
    if (!form) {
      continue;
    }
    const kind = form.dataset.passkeyForm;
    const field = form.querySelector('input[name="credential"]');
    let busy = false;
    form.addEventListener("submit", async (event) => {
      const name = form.querySelector('input[name="name"]');
      if (kind === "create" && name && name.value.trim() === "") {
        return; // let the server say a name is needed
      }
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      try {
        if (kind === "create") {
          const made = await navigator.credentials.create({ publicKey: creationOptions(options) });
          field.value = JSON.stringify(createdToJSON(made));
        } else {
          const used = await navigator.credentials.get({ publicKey: requestOptions(options) });
          field.value = JSON.stringify(assertionToJSON(used));
        }
      } catch (error) {
        busy = false;
        showError(section, problem(error, kind));
        return;
      }
      form.submit();
    });
  }
  // "Confirm it is you": the password and the passkey in one form. The button asks for the
  // passkey, then sends the form with the password; the code field is left for those without.
  for (const button of document.querySelectorAll("[data-passkey-button]")) {
    const form = button.closest("form");
    const field = form?.querySelector('input[name="credential"]');
    if (!form || !field) {
      continue;
    }
    button.hidden = false;
    let busy = false;
    button.addEventListener("click", async (event) => {
      const password = form.querySelector('input[name="password"]');
      if (password && password.value === "") {
        return; // let the server say the password is needed
      }
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      try {
        const used = await navigator.credentials.get({ publicKey: requestOptions(options) });
        field.value = JSON.stringify(assertionToJSON(used));
      } catch (error) {
        busy = false;
        showError(document, problem(error, "get"));
        return;
      }
      form.submit();
    });
  }
}

start();
