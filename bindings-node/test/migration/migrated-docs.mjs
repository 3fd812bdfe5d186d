// The receiver snippet of the QStash docs ("Verify the signature", TypeScript SDK), as a
// handler module: keys from the environment, the site's URL in place of "YOUR-SITE-URL".
import { Receiver } from "qstash-verify";

const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY,
});

export async function handler(req) {
  const signature = req.headers["upstash-signature"];
  const body = req.body;

  const isValid = await receiver.verify({
    body,
    signature,
    url: "https://my-app.example.com/api/qstash",
  });
  return isValid;
}
