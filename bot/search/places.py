"""Place names: the countries, states, provinces, regions and large cities the engine knows.

A "where" or "which country" question is answered by a sentence that names a place, and "a
capitalised word" is too weak a sign of one (nearly every news sentence has a name in it).
The list is general knowledge, not drawn from any benchmark: the sovereign countries and a
few territories, the US states, Canada's provinces, the UK's nations, continents and regions,
and the world's best-known large cities. Words that are mostly something else in news text
("jersey", "chad", "us") or first names ("jordan", "austin") are left out; a place of two words
still counts ("New Jersey").
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.search.text import tokens

_COUNTRIES = """
Afghanistan, Albania, Algeria, Andorra, Angola, Antigua and Barbuda, Argentina, Armenia,
Australia, Austria, Azerbaijan, Bahamas, Bahrain, Bangladesh, Barbados, Belarus, Belgium,
Belize, Benin, Bhutan, Bolivia, Bosnia and Herzegovina, Botswana, Brazil, Brunei, Bulgaria,
Burkina Faso, Burundi, Cambodia, Cameroon, Canada, Cape Verde, Central African Republic, Chile,
China, Colombia, Comoros, Congo, Costa Rica, Croatia, Cuba, Cyprus, Czech Republic, Czechia,
Denmark, Djibouti, Dominica, Dominican Republic, East Timor, Ecuador, Egypt, El Salvador,
Equatorial Guinea, Eritrea, Estonia, Eswatini, Ethiopia, Fiji, Finland, France, Gabon, Gambia,
Georgia, Germany, Ghana, Greece, Grenada, Guatemala, Guinea-Bissau, Guyana, Haiti,
Honduras, Hungary, Iceland, India, Indonesia, Iran, Iraq, Ireland, Israel, Italy, Ivory Coast,
Jamaica, Japan, Kazakhstan, Kenya, Kiribati, Kosovo, Kuwait, Kyrgyzstan, Laos, Latvia,
Lebanon, Lesotho, Liberia, Libya, Liechtenstein, Lithuania, Luxembourg, Madagascar, Malawi,
Malaysia, Maldives, Mali, Malta, Marshall Islands, Mauritania, Mauritius, Mexico, Micronesia,
Moldova, Monaco, Mongolia, Montenegro, Morocco, Mozambique, Myanmar, Burma, Namibia, Nauru,
Nepal, Netherlands, New Zealand, Nicaragua, Niger, Nigeria, North Korea, North Macedonia,
Norway, Oman, Pakistan, Palau, Palestine, Panama, Papua New Guinea, Paraguay, Peru,
Philippines, Poland, Portugal, Qatar, Romania, Russia, Rwanda, Saint Kitts and Nevis,
Saint Lucia, Samoa, San Marino, Saudi Arabia, Senegal, Serbia, Seychelles, Sierra Leone,
Singapore, Slovakia, Slovenia, Solomon Islands, Somalia, South Africa, South Korea,
South Sudan, Spain, Sri Lanka, Sudan, Suriname, Sweden, Switzerland, Syria, Taiwan,
Tajikistan, Tanzania, Thailand, Togo, Tonga, Trinidad and Tobago, Tunisia, Turkey, Turkiye,
Turkmenistan, Tuvalu, Uganda, Ukraine, United Arab Emirates, United Kingdom, United States,
Uruguay, Uzbekistan, Vanuatu, Vatican, Venezuela, Vietnam, Yemen, Zambia, Zimbabwe,
Greenland, Puerto Rico, Hong Kong, Gaza, West Bank, Britain, Great Britain, England, Scotland,
Wales, Northern Ireland, America, USA, UK, UAE
"""
_STATES = """
Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, Florida,
Hawaii, Idaho, Illinois, Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine, Maryland,
Massachusetts, Michigan, Minnesota, Mississippi, Missouri, Montana, Nebraska, Nevada,
New Hampshire, New Jersey, New Mexico, New York, North Carolina, North Dakota, Ohio, Oklahoma,
Oregon, Pennsylvania, Rhode Island, South Carolina, South Dakota, Tennessee, Texas, Utah,
Vermont, Virginia, Washington, West Virginia, Wisconsin, Wyoming, District of Columbia,
Ontario, Quebec, British Columbia, Alberta, Manitoba, Saskatchewan, Nova Scotia,
New Brunswick, Newfoundland, Prince Edward Island, New South Wales, Queensland, Tasmania
"""
_REGIONS = """
Africa, Asia, Europe, North America, South America, Latin America, Central America,
Middle East, Caribbean, Antarctica, Arctic, Oceania, Scandinavia, Balkans, Siberia
"""
_CITIES = """
New York City, Los Angeles, Chicago, Houston, Philadelphia, San Antonio, San Diego,
Dallas, San Jose, Jacksonville, San Francisco, Seattle, Denver, Boston,
Nashville, Detroit, Las Vegas, Portland, Atlanta, Miami, New Orleans, Minneapolis, Baltimore,
Pittsburgh, Honolulu, Silicon Valley, London, Paris, Berlin, Madrid, Rome, Moscow,
Kyiv, Kiev, Beijing, Shanghai, Shenzhen, Tokyo, Osaka, Seoul, Delhi, New Delhi, Mumbai,
Bangalore, Dubai, Abu Dhabi, Istanbul, Cairo, Lagos, Nairobi, Johannesburg, Sydney,
Melbourne, Toronto, Montreal, Vancouver, Mexico City, Sao Paulo, Rio de Janeiro,
Buenos Aires, Jerusalem, Tel Aviv, Tehran, Baghdad, Riyadh, Doha, Bangkok, Jakarta, Manila,
Taipei, Brussels, Amsterdam, Vienna, Geneva, Zurich, Stockholm, Oslo, Copenhagen, Helsinki,
Warsaw, Athens, Lisbon, Dublin, Edinburgh, Davos, Hanoi, Karachi, Havana, Caracas, Bogota,
Lima, Santiago
"""


def _names(*lists: str) -> frozenset[tuple[str, ...]]:
    return frozenset(
        tuple(tokens(name)) for text in lists for name in text.split(",") if name.strip()
    )


PLACES = _names(_COUNTRIES, _STATES, _REGIONS, _CITIES)
# First word -> the lengths of the places it starts, so that most words cost one set lookup.
_STARTS: dict[str, frozenset[int]] = {
    first: frozenset(len(p) for p in PLACES if p[0] == first) for first in {p[0] for p in PLACES}
}


def places_in(words: Sequence[str]) -> set[tuple[str, ...]]:
    """The known places named in a tokenised text (its words as :func:`tokens` gives them)."""
    found = set()
    for start, word in enumerate(words):
        for size in _STARTS.get(word, ()):
            name = tuple(words[start : start + size])
            if name in PLACES:
                found.add(name)
    return found
