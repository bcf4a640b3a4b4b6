"""The MIL CLICKER Pact as an activity: read the commitments, sign, print a card."""
