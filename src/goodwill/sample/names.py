"""Names, email domains, locales and the care team of the sample operator (UK-diverse)."""

from __future__ import annotations

FIRST_NAMES = (
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy",
    "Leo", "Grace", "Arthur", "Freya", "Muhammad", "Lily", "Oscar", "Florence", "Charlie",
    "Sophia", "Thomas", "Emily", "James", "Poppy", "William", "Ella", "Henry", "Evie",
    "Alfie", "Rosie", "Aarav", "Priya", "Mohammed", "Aisha", "Zain", "Fatima", "Rohan",
    "Ananya", "Kwame", "Adaeze", "Chidi", "Ngozi", "Tomasz", "Zofia", "Piotr", "Agnieszka",
    "Andrei", "Ioana", "Siobhan", "Ciaran", "Niamh", "Rhys", "Cerys", "Dylan", "Megan",
    "Ewan", "Isla", "Callum", "Eilidh", "Wei", "Mei", "Hassan", "Layla", "Daniel", "Chloe",
    "David", "Sarah", "Michael", "Laura", "Paul", "Susan", "Peter", "Margaret", "John",
    "Helen", "Robert", "Patricia", "Stephen", "Janet", "Gurpreet", "Harpreet",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Patel", "Khan", "Shah", "Ahmed", "Ali", "Hussain", "Singh",
    "Kaur", "Begum", "Okafor", "Mensah", "Adeyemi", "Nowak", "Kowalski", "Wisniewski",
    "Popescu", "Ionescu", "Murphy", "Kelly", "Byrne", "Hughes", "Price", "Lloyd", "Morgan",
    "Campbell", "Stewart", "MacDonald", "Fraser", "Chen", "Wang", "Nguyen", "Costa",
    "Silva", "Rossi", "Harris", "Martin", "Cooper", "King", "Lee", "Baker", "Turner", "Hill",
    "Mitchell", "Ward", "Morris", "Moore", "Young", "Allen", "Bennett", "Carter", "Phillips",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.co.uk", "example.org", "example.net")
#: Locales with their shares among customers who gave one.
LOCALES = (("en-GB", 0.94), ("cy-GB", 0.02), ("pl-PL", 0.02), ("ro-RO", 0.01), ("pa-IN", 0.01))
#: The care team: ticket owners.
AGENTS = (
    "Aisha Khan", "Tom Evans", "Megan Hughes", "Daniel Okafor", "Sophie Clarke",
    "Liam Murphy", "Hannah Price", "Ravi Patel", "Chloe Jenkins", "Owen Davies",
    "Grace Thompson", "Marek Nowak",
)  # fmt: skip
