// The same receiver in a CommonJS handler that answers 401 for the official SDK's
// SignatureError and lets anything else through as a server error.
const { Receiver } = require("@upstash/qstash");
const { SignatureError } = require("@upstash/qstash");

const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY,
});

async function handler(req) {
  try {
    await receiver.verify({
      body: req.body,
      signature: req.headers["upstash-signature"],
      url: "https://my-app.example.com/api/qstash",
    });
    return 200;
  } catch (error) {
    if (error instanceof SignatureError) return 401;
    return 500;
  }
}

module.exports = { handler };
