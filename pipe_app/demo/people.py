"""Fictional names for demo residents and staff.

Ordinary first names with made-up surnames, so no demo record reads as a real person.
Residents and staff draw on separate surname lists, so the two never look related.
"""

from __future__ import annotations

WOMEN_GIVEN = (
    "Abigail", "Alisha", "Amber", "Bethany", "Bronwen", "Carla", "Chantelle", "Chloe",
    "Courtney", "Danielle", "Demi", "Donna", "Ellie", "Gemma", "Hayley", "Jade", "Jasmine",
    "Jodie", "Kayleigh", "Keeley", "Kirsty", "Lacey", "Leanne", "Lorraine", "Mandy", "Marie",
    "Megan", "Nadia", "Natalie", "Nicola", "Paige", "Precious", "Rhiannon", "Roxanne",
    "Sabrina", "Shannon", "Sharon", "Stacey", "Tamsin", "Tanya", "Toni", "Tracey", "Yasmin",
    "Zara",
)  # fmt: skip

MEN_GIVEN = (
    "Aaron", "Adeel", "Ashley", "Barry", "Bradley", "Callum", "Carl", "Craig", "Darren",
    "Dean", "Declan", "Dwayne", "Gareth", "Gavin", "Imran", "Jamal", "Jason", "Jermaine",
    "Kane", "Karl", "Keith", "Kieran", "Lee", "Liam", "Marcus", "Mark", "Martin", "Nathan",
    "Neil", "Owen", "Paul", "Reece", "Ricky", "Ryan", "Scott", "Shane", "Stuart", "Terry",
    "Tyrone", "Wayne", "Wesley", "Zain",
)  # fmt: skip

RESIDENT_FAMILY = (
    "Alderwick", "Ashcombe", "Barnsdale", "Birchley", "Blackwood-Ray", "Brackenby", "Bramwell",
    "Calderbank", "Carrowmore", "Cindergate", "Coldharbour", "Cragside", "Dunmere", "Elmstead",
    "Fairhaven", "Fernhollow", "Foxcote", "Glassbrook", "Greenhalgh-Moss", "Hallamshire",
    "Harrowgate", "Hazelmere", "Hollinsworth", "Ivybridge", "Kettlewell", "Kingsmoor",
    "Larkhill", "Lindenfield", "Longmarsh", "Marlowe-Birch", "Meadowcroft", "Millbrook",
    "Netherby", "Oakhurst", "Pennyfeather", "Quarrendon", "Ravensworth", "Redmarley",
    "Rookwood", "Saltmarsh", "Sandalwood", "Stonebridge", "Thistlewood", "Thornbury-Vale",
    "Underhill", "Wetherden", "Whitlock-Hay", "Willowby", "Wrenfield", "Yarrowdale",
)  # fmt: skip

STAFF_GIVEN = (
    "Adaeze", "Alan", "Amrit", "Andrea", "Angela", "Ben", "Bernadette", "Chris", "Claire",
    "Dave", "Deborah", "Eilidh", "Femi", "Fiona", "Grace", "Harpreet", "Helen", "Ian",
    "Jackie", "James", "Joanne", "Kamal", "Karen", "Kate", "Lisa", "Maria", "Michael", "Mo",
    "Nasreen", "Pat", "Priya", "Rachel", "Rob", "Ruth", "Sam", "Sanjay", "Sue", "Tom",
    "Val", "Yusuf",
)  # fmt: skip

STAFF_FAMILY = (
    "Applethwaite", "Bellingford", "Brightwater", "Castleford-Jones", "Cherrington",
    "Dovecote", "Eastwood-Pike", "Fallowfield", "Gildersleeve", "Hambledon", "Hartington",
    "Inchbrook", "Juniper", "Kestrelton", "Lanchester", "Merriweather", "Northcott",
    "Oldacre", "Pemberton-Lowe", "Quenby", "Rushworth", "Silverdale", "Tanglewood",
    "Upperton", "Vantage", "Wakeling", "Westerleigh", "Whitmore-Ash", "Yelverton",
    "Zouchester",
)  # fmt: skip
